package io.backpoint.xml;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.XmlNode;
import io.backpoint.util.SafeFileName;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What domain.rng and domaincheckpoint.rng guaranteed about the fields Backpoint uses, checked on
 * state files that are read without the schema ({@link DomainXml#parseState},
 * {@link CheckpointXml#parseState}). These values become file paths, QEMU node and device names
 * and parts of QEMU's command line (where a comma starts a new option), so a damaged or planted
 * state file must not get further than the schema would have let it. The patterns are the
 * schemas' own; keep them in step.
 */
final class StateFields {
    /** domain.rng bpDiskTarget. */
    private static final Pattern DISK_TARGET = Pattern.compile("(ioemu:)?(fd|hd|sd|vd|xvd|ubd)[a-zA-Z0-9_]+");
    /** domain.rng bpAbsolutePath (NUL cannot be in XML 1.0; refused anyway, as no path holds it). */
    private static final Pattern ABSOLUTE_PATH = Pattern.compile("/[^\n\u0000]*");
    /** domain.rng bpUuid. */
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** domain.rng bpSingleLine. */
    private static final Pattern SINGLE_LINE = Pattern.compile("[^\n]+");
    /** domaincheckpoint.rng bpCheckpointDiskPath. */
    private static final Pattern CHECKPOINT_DISK_PATH = Pattern.compile("(/|[a-zA-Z]:\\\\)[^\n\r]+");
    /** domaincheckpoint.rng bpDigits. */
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final Set<String> DISK_TYPES =
            Set.of("file", "block", "dir", "network", "volume", "nvme", "vhostuser", "vhostvdpa");
    private static final Set<String> DISK_DEVICES = Set.of("disk", "cdrom", "floppy", "lun");

    private StateFields() {}

    /** A {@code <domain>} element as read from a file, before extraction. */
    static void domain(XmlNode domain) {
        require(SINGLE_LINE, Documents.text(domain.child("name")), "domain name", "a name on one line");
        XmlNode uuid = domain.child("uuid");
        if (uuid != null) {
            require(UUID, uuid.text(), "domain uuid", "32 hex digits, bare or as 8-4-4-4-12");
        }
        XmlNode devices = domain.child("devices");
        if (devices != null) {
            for (XmlNode disk : devices.children("disk")) {
                disk(disk);
            }
        }
    }

    private static void disk(XmlNode disk) {
        oneOf(DISK_TYPES, disk.attribute("type"), "disk type");
        oneOf(DISK_DEVICES, disk.attribute("device"), "disk device");
        XmlNode source = disk.child("source");
        if (source != null) {
            // The schema constrains file= and dev= whatever the disk type; network and dir
            // sources (name=, dir=) it leaves free, and so do we.
            for (String attr : new String[] {"file", "dev"}) {
                String path = source.attribute(attr);
                if (path != null) {
                    require(ABSOLUTE_PATH, path, "disk source " + attr, "an absolute path on one line");
                }
            }
        }
        XmlNode target = disk.child("target");
        require(DISK_TARGET, target == null ? null : target.attribute("dev"), "disk target dev",
                "a guest disk name such as vda, sdb or hdc");
    }

    /** A {@code <disk>} of a checkpoint's {@code <disks>} as read from a file. */
    static void checkpointDisk(XmlNode disk) {
        String name = disk.attribute("name");
        if (name == null || !(DISK_TARGET.matcher(name).matches() || CHECKPOINT_DISK_PATH.matcher(name).matches())) {
            throw invalid("checkpoint disk name", name, "a guest disk name such as vda, or an absolute source path");
        }
        String bitmap = disk.attribute("bitmap");
        // The schema leaves the bitmap free, but a stored checkpoint's bitmap is always its own
        // name (QemuCheckpointMechanics.prepare refuses any other), which is a safe file name; a
        // bitmap name reaches QMP and the messages that tell users how to clean up.
        if (bitmap != null && !SafeFileName.valid(bitmap)) {
            throw invalid("checkpoint bitmap name", bitmap, "the checkpoint's own name");
        }
        String size = disk.attribute("size");
        if (size != null) {
            require(DIGITS, size, "checkpoint disk size", "digits only");
        }
    }

    /** A stored checkpoint's {@code <creationTime>}: digits only (no sign, no space). */
    static void creationTime(XmlNode element) {
        if (element != null) {
            require(DIGITS, element.text(), "checkpoint creationTime", "digits only (seconds since the epoch)");
        }
    }

    private static void require(Pattern pattern, String value, String what, String expected) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw invalid(what, value, expected);
        }
    }

    private static void oneOf(Set<String> allowed, String value, String what) {
        if (value != null && !allowed.contains(value)) {
            throw invalid(what, value, "one of " + String.join(", ", allowed.stream().sorted().toList()));
        }
    }

    private static BackpointException invalid(String what, String value, String expected) {
        return value == null
                ? BackpointException.of(ErrorCode.XML_ERROR, "missing %s: expected %s", what, expected)
                : BackpointException.of(ErrorCode.XML_ERROR, "invalid %s '%s': expected %s", what, value, expected);
    }
}
