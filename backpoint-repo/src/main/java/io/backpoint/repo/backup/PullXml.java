package io.backpoint.repo.backup;

import io.backpoint.xml.XmlWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * The backup and checkpoint documents of one repository backup: a pull backup on a unix socket,
 * each chosen disk full or incremental from its own checkpoint, scratch files in the private work
 * directory; and a checkpoint with a bitmap for exactly the chosen disks.
 */
final class PullXml {
    private PullXml() {
    }

    static String backup(Path socket, Path workDir, List<DiskChoice> disks) {
        StringBuilder sb = new StringBuilder("<domainbackup mode='pull'><server transport='unix' socket='");
        XmlWriter.escape(sb, socket.toString());
        sb.append("'/><disks>");
        for (DiskChoice d : disks) {
            sb.append("<disk name='");
            XmlWriter.escape(sb, d.disk());
            sb.append("' backup='yes' type='file'");
            if (d.incremental()) {
                sb.append(" backupmode='incremental' incremental='");
                XmlWriter.escape(sb, d.checkpoint());
                sb.append('\'');
            } else {
                sb.append(" backupmode='full'");
            }
            sb.append("><scratch file='");
            XmlWriter.escape(sb, workDir.resolve("scratch-" + d.disk() + ".qcow2").toString());
            sb.append("'/></disk>");
        }
        return sb.append("</disks></domainbackup>").toString();
    }

    /** Disks not listed get no bitmap (a non-empty list leaves the others out, as in libvirt). */
    static String checkpoint(String name, String description, List<String> disks) {
        StringBuilder sb = new StringBuilder("<domaincheckpoint><name>");
        XmlWriter.escape(sb, name);
        sb.append("</name><description>");
        XmlWriter.escape(sb, description);
        sb.append("</description><disks>");
        for (String d : disks) {
            sb.append("<disk name='");
            XmlWriter.escape(sb, d);
            sb.append("' checkpoint='bitmap'/>");
        }
        return sb.append("</disks></domaincheckpoint>").toString();
    }
}
