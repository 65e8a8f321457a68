package io.backpoint.xml;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.CheckpointDef;
import io.backpoint.model.CheckpointDiskDef;
import io.backpoint.model.CheckpointType;
import io.backpoint.model.DomainDef;
import io.backpoint.model.XmlNode;
import io.backpoint.util.SafeFileName;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code <domaincheckpoint>} codec. Parsing runs libvirt's stages in order: well-formedness,
 * schema validation (always, since the schema's name pattern is what makes a checkpoint name a
 * safe file name), then extraction that trusts the schema. Alignment against the domain is a
 * separate step ({@link CheckpointAlign}).
 */
public final class CheckpointXml {
    static final String ROOT = "domaincheckpoint";

    private CheckpointXml() {}

    /**
     * Parses and validates a checkpoint document. Without REDEFINE the creation time is the
     * clock's current second, the name defaults to it, and parent, creationTime and the embedded
     * domain are ignored; with REDEFINE, name and creationTime are required and parent and
     * domain are kept. Sizes are never read.
     *
     * @throws BackpointException XML_ERROR for a malformed document, a wrong root or a redefined
     *     checkpoint without a name; XML_INVALID_SCHEMA for a schema violation; INTERNAL_ERROR for
     *     a redefined checkpoint without creationTime
     */
    public static CheckpointDef parse(String xml, Set<CheckpointParseFlag> flags, Clock clock) {
        Objects.requireNonNull(flags, "flags");
        if (!flags.contains(CheckpointParseFlag.REDEFINE)) {
            Objects.requireNonNull(clock, "clock");
        }
        XmlNode root = XmlInput.parse(xml);
        Documents.requireRoot(root, ROOT);
        Schemas.validate(root, Schemas.Kind.CHECKPOINT);
        return fromValidated(root, flags, clock);
    }

    /**
     * Reads a checkpoint Backpoint stored itself, with REDEFINE semantics, without the schema:
     * libvirt does not validate its own state when it loads it, and validating every stored
     * checkpoint on every call cost a schema compile plus a few ms per checkpoint. The parser's
     * hardening stays (no DTD, no external entities, bounded size), and what the schema gave
     * the rest of Backpoint is checked here: safe names, named disks, and the fields that become
     * paths, bitmap and node names and command-line parts ({@link StateFields}), in the
     * checkpoint and its embedded domain. User documents go through
     * {@link #parse}.
     *
     * @throws BackpointException for a file that is not such a checkpoint (the caller names it)
     */
    public static CheckpointDef parseState(String xml) {
        XmlNode root = XmlInput.parse(xml);
        Documents.requireRoot(root, ROOT);
        SafeFileName.require("checkpoint", Documents.text(root.child("name")));
        XmlNode parent = root.child("parent");
        if (parent != null) {
            SafeFileName.require("parent checkpoint", Documents.text(parent.child("name")));
        }
        StateFields.creationTime(root.child("creationTime"));
        XmlNode disks = root.child("disks");
        if (disks != null) {
            for (XmlNode disk : disks.children()) {
                if (!disk.name().equals("disk") || disk.attribute("name") == null) {
                    throw BackpointException.of(ErrorCode.XML_ERROR, "element '%s' in '<disks>' is not a named disk",
                            disk.name());
                }
                StateFields.checkpointDisk(disk);
            }
        }
        XmlNode domain = root.child("domain");
        if (domain != null) {
            StateFields.domain(domain);
        }
        return fromValidated(root, EnumSet.of(CheckpointParseFlag.REDEFINE), null);
    }

    /** Extraction from a tree that passed domaincheckpoint.rng, or {@link #parseState}'s checks. */
    static CheckpointDef fromValidated(XmlNode root, Set<CheckpointParseFlag> flags, Clock clock) {
        boolean redefine = flags.contains(CheckpointParseFlag.REDEFINE);
        String name = Documents.text(root.child("name"));
        if (name == null && redefine) {
            throw new BackpointException(ErrorCode.XML_ERROR, "a redefined checkpoint must have a name");
        }
        String description = Documents.text(root.child("description"));

        long creationTime;
        String parentName = null;
        DomainDef domain = null;
        if (redefine) {
            creationTime = redefinedCreationTime(root.child("creationTime"));
            XmlNode parent = root.child("parent");
            parentName = parent == null ? null : Documents.text(parent.child("name"));
            XmlNode domainElement = root.child("domain");
            // Validated as part of the checkpoint document; no second validation.
            domain = domainElement == null ? null : DomainXml.fromElement(domainElement);
        } else {
            creationTime = clock.instant().getEpochSecond();
            if (name == null) {
                name = Long.toString(creationTime);
            }
        }

        List<CheckpointDiskDef> disks = new ArrayList<>();
        XmlNode disksElement = root.child("disks");
        if (disksElement != null) {
            for (XmlNode disk : disksElement.children()) {
                disks.add(disk(disk));
            }
        }
        return new CheckpointDef(name, description, parentName, creationTime, disks, domain);
    }

    private static long redefinedCreationTime(XmlNode element) {
        String text = Documents.text(element);
        if (text != null) {
            try {
                return Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                // unsignedLong beyond a signed long: libvirt cannot read it either
            }
        }
        throw new BackpointException(ErrorCode.INTERNAL_ERROR, "missing creationTime from existing checkpoint");
    }

    private static CheckpointDiskDef disk(XmlNode disk) {
        String checkpoint = disk.attribute("checkpoint");
        // An omitted checkpoint= means bitmap; the schema allows only "no" and "bitmap".
        CheckpointType type = checkpoint == null ? CheckpointType.BITMAP : CheckpointType.fromXml(checkpoint);
        if (type == null) {
            throw BackpointException.of(ErrorCode.XML_ERROR, "unknown checkpoint type '%s'", checkpoint);
        }
        String bitmap = type == CheckpointType.BITMAP ? disk.attribute("bitmap") : null;
        return new CheckpointDiskDef(disk.attribute("name"), type, bitmap, null);
    }

    /** Formats a checkpoint the way libvirt does (its order, its omissions), ending with a newline. */
    public static String format(CheckpointDef def, Set<CheckpointFormatFlag> flags) {
        Objects.requireNonNull(def, "def");
        Objects.requireNonNull(flags, "flags");
        XmlWriter w = new XmlWriter();
        w.open(ROOT);
        w.textElement("name", def.name());
        w.textElement("description", def.description());
        if (def.parentName() != null) {
            w.open("parent");
            w.textElement("name", def.parentName());
            w.close("parent");
        }
        if (def.creationTime() != 0) {
            w.textElement("creationTime", Long.toString(def.creationTime()));
        }
        if (!def.disks().isEmpty()) {
            // Printed whenever there are entries, even if every entry is skipped below (as libvirt).
            w.open("disks");
            for (CheckpointDiskDef disk : def.disks()) {
                formatDisk(w, disk, flags.contains(CheckpointFormatFlag.SIZE));
            }
            w.close("disks");
        }
        if (def.domain() != null && !flags.contains(CheckpointFormatFlag.NO_DOMAIN)) {
            Set<DomainXml.FormatFlag> domainFlags = EnumSet.of(DomainXml.FormatFlag.INACTIVE);
            if (flags.contains(CheckpointFormatFlag.SECURE)) {
                domainFlags.add(DomainXml.FormatFlag.SECURE);
            }
            DomainXml.format(def.domain(), domainFlags, w);
        }
        w.close(ROOT);
        return w.toString();
    }

    private static void formatDisk(XmlWriter w, CheckpointDiskDef disk, boolean withSize) {
        if (disk.name() == null) {
            return;
        }
        String size = withSize && disk.bitmap() != null && disk.size() != null ? Long.toUnsignedString(disk.size()) : null;
        w.emptyElement("disk",
                "name", disk.name(),
                "checkpoint", disk.type().xml(),
                "bitmap", disk.bitmap(),
                "size", size);
    }
}
