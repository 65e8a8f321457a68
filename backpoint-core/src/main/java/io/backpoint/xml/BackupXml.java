package io.backpoint.xml;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.BackupDef;
import io.backpoint.model.XmlNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code <domainbackup>} codec. Parsing is libvirt's three stages minus the last: RELAX NG
 * validation (user input only), then extraction into records; alignment against a domain is
 * {@link BackupAlign}. Formatting is byte-compatible with libvirt's.
 */
public final class BackupXml {
    private BackupXml() {}

    /**
     * Parses a backup document. Without {@link BackupParseFlag#INTERNAL} it must pass the
     * schema; with it, job-record fields are read as well.
     *
     * @throws BackpointException XML_ERROR when malformed, XML_INVALID_SCHEMA when invalid,
     *     CONFIG_UNSUPPORTED or XML_ERROR for what libvirt's parser rejects
     */
    public static BackupDef parse(String xml, Set<BackupParseFlag> flags) {
        return parse(XmlInput.parse(xml), flags);
    }

    /**
     * A running job's XML as a hypervisor prints it (virDomainBackupGetXMLDesc). libvirt adds each
     * disk's {@code index}, an output-only attribute its schema (and ours) does not have, so it is
     * dropped before the document is validated and read like any other.
     */
    public static BackupDef parseJob(String xml) {
        XmlNode root = XmlInput.parse(xml);
        XmlNode disks = root.child("disks");
        if (disks != null) {
            List<XmlNode> children = new ArrayList<>();
            for (XmlNode c : root.children()) {
                if (c != disks) {
                    children.add(c);
                    continue;
                }
                List<XmlNode> plain = new ArrayList<>();
                for (XmlNode d : disks.children()) {
                    plain.add(d.name().equals("disk") ? d.withoutAttribute("index") : d);
                }
                children.add(disks.withChildren(plain));
            }
            root = root.withChildren(children);
        }
        return parse(root, EnumSet.noneOf(BackupParseFlag.class));
    }

    private static BackupDef parse(XmlNode root, Set<BackupParseFlag> flags) {
        boolean internal = flags != null && flags.contains(BackupParseFlag.INTERNAL);
        if (!root.name().equals(Schemas.Kind.BACKUP.root())) {
            throw BackpointException.of(ErrorCode.XML_ERROR, "expecting root element of '%s', not '%s'",
                    Schemas.Kind.BACKUP.root(), root.name());
        }
        if (!internal) {
            Schemas.validate(root, Schemas.Kind.BACKUP);
        }
        return BackupXmlReader.read(root, internal);
    }

    /**
     * Formats a definition as libvirt does; {@code internal} adds the job-record fields
     * (disk state, store and job privateData). The result ends with a newline.
     */
    public static String format(BackupDef def, boolean internal) {
        if (def == null) {
            throw new BackpointException(ErrorCode.INVALID_ARG, "backup definition must not be null");
        }
        return BackupXmlWriter.write(def, internal);
    }
}
