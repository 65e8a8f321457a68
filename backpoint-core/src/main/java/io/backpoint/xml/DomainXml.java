package io.backpoint.xml;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.DiskFormat;
import io.backpoint.model.DomainDef;
import io.backpoint.model.DomainDiskDef;
import io.backpoint.model.XmlNode;
import io.backpoint.util.SafeFileName;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code <domain>} codec for the slice Backpoint interprets. The whole element is kept as
 * read (after a few normalizations libvirt would also make) and written back unchanged, so a
 * checkpoint's embedded domain round-trips even though Backpoint understands only its disks.
 */
public final class DomainXml {
    static final String ROOT = "domain";
    private static final String AIO = "aio";

    /** libvirt's VIR_DOMAIN_DEF_FORMAT_* flags that matter for a kept element tree. */
    public enum FormatFlag {
        /** Keep security-sensitive attributes (graphics passwords). */
        SECURE,
        /** The persistent definition: no runtime-only parts such as the domain's {@code id}. */
        INACTIVE
    }

    private DomainXml() {}

    /** Parses and validates (domain.rng) a domain document. */
    public static DomainDef parse(String xml) {
        XmlNode root = XmlInput.parse(xml);
        Documents.requireRoot(root, ROOT);
        Schemas.validate(root, Schemas.Kind.DOMAIN);
        return fromElement(root);
    }

    /**
     * Reads a domain definition Backpoint stored itself without the schema, as libvirt loads its
     * own state (see {@link CheckpointXml#parseState}): the hardened parser, a name that is a safe
     * file name, extraction's own checks (an unknown disk format is still refused) and what the
     * schema guaranteed about the fields that become paths and command-line parts ({@link StateFields}).
     */
    public static DomainDef parseState(String xml) {
        XmlNode root = XmlInput.parse(xml);
        Documents.requireRoot(root, ROOT);
        DomainDef def = fromElement(root);
        SafeFileName.require("domain", def.name());
        StateFields.domain(root);
        return def;
    }

    /**
     * The definition for an element that has already been validated, on its own or as part of a
     * larger document. Normalizes what libvirt would print differently from the input: layout
     * whitespace inside empty elements, the UUID's spelling and the disk attributes' defaults.
     */
    static DomainDef fromElement(XmlNode domainElement) {
        XmlNode element = normalize(domainElement, 0);
        String uuid = Documents.text(element.child("uuid"));
        List<DomainDiskDef> disks = new ArrayList<>();
        XmlNode devices = element.child("devices");
        if (devices != null) {
            for (XmlNode disk : devices.children("disk")) {
                disks.add(disk(disk));
            }
        }
        return new DomainDef(element.attribute("type"), Documents.text(element.child("name")), uuid, disks, element);
    }

    private static XmlNode normalize(XmlNode node, int depth) {
        List<XmlNode> children = new ArrayList<>(node.children().size());
        for (XmlNode child : node.children()) {
            XmlNode c = normalize(child, depth + 1);
            if (depth == 0 && c.name().equals("uuid")) {
                c = withText(c, canonicalUuid(c.text()));
            } else if (depth == 1 && node.name().equals("devices") && c.name().equals("disk")) {
                c = aioAsRaw(diskAttributesFirst(c));
            }
            children.add(c);
        }
        String text = node.text();
        // Indentation left inside an element with nothing in it (<features>\n  </features>) is
        // layout, not content; libvirt re-indents everything it prints.
        if (text != null && text.isBlank() && text.indexOf('\n') >= 0) {
            text = null;
        }
        return new XmlNode(node.name(), node.attributes(), children, text);
    }

    private static XmlNode withText(XmlNode node, String text) {
        return new XmlNode(node.name(), node.attributes(), node.children(), text);
    }

    /** libvirt prints UUIDs in the lower-case 8-4-4-4-12 form whatever form it read. */
    static String canonicalUuid(String uuid) {
        if (uuid == null) {
            return null;
        }
        String hex = uuid.trim().replace("-", "").toLowerCase(Locale.ROOT);
        if (hex.length() != 32) {
            return uuid; // not valid; left for the schema to report where it was validated
        }
        return hex.substring(0, 8) + '-' + hex.substring(8, 12) + '-' + hex.substring(12, 16) + '-'
                + hex.substring(16, 20) + '-' + hex.substring(20);
    }

    /**
     * {@code <driver type='aio'/>}, Xen's old name for a raw file, is read as raw and printed as
     * raw, as libvirt does (virDomainDiskDefDriverSourceParseXML); everything that reads the
     * kept tree (the QEMU command line, dumpxml) then sees the format it really is.
     */
    private static XmlNode aioAsRaw(XmlNode disk) {
        XmlNode driver = disk.child("driver");
        if (driver == null || !AIO.equals(driver.attribute("type"))) {
            return disk;
        }
        List<XmlNode.Attribute> attrs = new ArrayList<>(driver.attributes().size());
        for (XmlNode.Attribute a : driver.attributes()) {
            attrs.add(a.name().equals("type") ? new XmlNode.Attribute("type", DiskFormat.RAW.xml()) : a);
        }
        XmlNode raw = new XmlNode(driver.name(), attrs, driver.children(), driver.text());
        List<XmlNode> children = new ArrayList<>(disk.children().size());
        for (XmlNode c : disk.children()) {
            children.add(c == driver ? raw : c);
        }
        return disk.withChildren(children);
    }

    /** A disk's type and device attributes, defaulted as libvirt does and printed first in that order. */
    private static XmlNode diskAttributesFirst(XmlNode disk) {
        String type = disk.attribute("type");
        String device = disk.attribute("device");
        List<XmlNode.Attribute> attrs = new ArrayList<>(disk.attributes().size() + 2);
        attrs.add(new XmlNode.Attribute("type", type == null ? "file" : type));
        attrs.add(new XmlNode.Attribute("device", device == null ? "disk" : device));
        for (XmlNode.Attribute a : disk.attributes()) {
            if (!a.name().equals("type") && !a.name().equals("device")) {
                attrs.add(a);
            }
        }
        return new XmlNode(disk.name(), attrs, disk.children(), disk.text());
    }

    private static DomainDiskDef disk(XmlNode disk) {
        String type = disk.attribute("type");
        String device = disk.attribute("device");
        XmlNode driver = disk.child("driver");
        XmlNode source = disk.child("source");
        XmlNode target = disk.child("target");
        String targetDev = target == null ? null : target.attribute("dev");
        if (targetDev != null && targetDev.startsWith("ioemu:")) {
            targetDev = targetDev.substring("ioemu:".length()); // an old Xen spelling libvirt drops
        }
        return new DomainDiskDef(
                type,
                device,
                driver == null ? null : driverFormat(driver.attribute("type")),
                sourcePath(type, source),
                targetDev,
                target == null ? null : target.attribute("bus"),
                // libvirt forces CD-ROMs read-only whether or not <readonly/> is written
                disk.child("readonly") != null || "cdrom".equals(device),
                disk.child("shareable") != null);
    }

    /**
     * domain.rng admits only known spellings; this guards extraction from an unvalidated tree,
     * with libvirt's error, which it also gives for its {@code none}.
     */
    private static DiskFormat driverFormat(String text) {
        if (text == null) {
            return null;
        }
        DiskFormat format = DiskFormat.fromXml(text); // after aioAsRaw
        if (format == null) {
            throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED, "unknown driver format value '%s'", text);
        }
        return format;
    }

    private static String sourcePath(String type, XmlNode source) {
        if (source == null) {
            return null;
        }
        return switch (type == null ? "file" : type) {
            case "file" -> source.attribute("file");
            case "block" -> source.attribute("dev");
            case "dir" -> source.attribute("dir");
            case "network" -> source.attribute("name");
            default -> null;
        };
    }

    /** Writes the domain at the writer's current indentation. */
    public static void format(DomainDef def, Set<FormatFlag> flags, XmlWriter out) {
        Objects.requireNonNull(def, "def");
        Objects.requireNonNull(flags, "flags");
        out.node(filtered(def.element(), flags));
    }

    /** The domain as a document of its own, ending with a newline. */
    public static String format(DomainDef def, Set<FormatFlag> flags) {
        XmlWriter w = new XmlWriter();
        format(def, flags, w);
        return w.toString();
    }

    private static XmlNode filtered(XmlNode domain, Set<FormatFlag> flags) {
        XmlNode result = domain;
        if (flags.contains(FormatFlag.INACTIVE)) {
            result = result.withoutAttribute("id"); // the running instance's number
        }
        if (!flags.contains(FormatFlag.SECURE)) {
            result = withoutGraphicsPasswords(result);
        }
        return result;
    }

    private static XmlNode withoutGraphicsPasswords(XmlNode domain) {
        List<XmlNode> children = new ArrayList<>(domain.children().size());
        boolean changed = false;
        for (XmlNode child : domain.children()) {
            XmlNode c = child;
            if (child.name().equals("devices")) {
                List<XmlNode> devices = new ArrayList<>(child.children().size());
                for (XmlNode device : child.children()) {
                    devices.add(device.name().equals("graphics") ? device.withoutAttribute("passwd") : device);
                }
                c = child.withChildren(devices);
                changed = true;
            }
            children.add(c);
        }
        return changed ? domain.withChildren(children) : domain;
    }
}
