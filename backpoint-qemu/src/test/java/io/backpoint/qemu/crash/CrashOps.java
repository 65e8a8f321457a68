package io.backpoint.qemu.crash;

import io.backpoint.api.Domain;
import io.backpoint.image.restore.ImageFormat;
import io.backpoint.image.restore.RestoreChain;
import io.backpoint.image.restore.Restorer;
import java.nio.file.Path;
import java.util.List;

/**
 * The operations the crash tests kill, each run the same way in the child JVM that is killed
 * and in the test afterwards (the "next operation", which must succeed). Files go to one
 * directory ({@code out}); checkpoint {@value #NEW} is the one an operation creates or deletes,
 * {@value #BASE} the one incrementals start from.
 */
final class CrashOps {
    static final String NEW = "cnew";
    static final String BASE = "c0";
    static final List<String> DISKS = List.of("vda", "vdb");

    private CrashOps() {}

    static void run(String op, Domain dom, Path out) {
        switch (op) {
            case "checkpoint-create" -> dom.createCheckpoint(checkpointXml(NEW), 0);
            case "checkpoint-delete" -> dom.checkpoint(NEW).delete(0);
            case "push-full" -> dom.backupBegin(pushXml(null, out), checkpointXml(NEW), 0);
            case "push-inc" -> dom.backupBegin(pushXml(BASE, out), checkpointXml(NEW), 0);
            case "pull-full" -> dom.backupBegin(pullXml(null, out), checkpointXml(NEW), 0);
            case "pull-inc" -> dom.backupBegin(pullXml(BASE, out), checkpointXml(NEW), 0);
            case "finish" -> dom.jobInfo(false);
            case "abort" -> dom.abortJob();
            case "restore" -> new Restorer().restore(RestoreChain.check(List.of(out.resolve("vda.base"),
                    out.resolve("vda.inc"))), out.resolve("restored.raw"), ImageFormat.RAW, null);
            default -> throw new IllegalArgumentException(op);
        }
    }

    static String checkpointXml(String name) {
        return "<domaincheckpoint><name>" + name + "</name></domaincheckpoint>";
    }

    static Path target(Path out, String disk) {
        return out.resolve(disk + ".target");
    }

    static String pushXml(String incremental, Path out) {
        return pushXml(incremental, out, "target");
    }

    /** Push targets {@code out/<disk>.<suffix>}. */
    static String pushXml(String incremental, Path out, String suffix) {
        StringBuilder b = new StringBuilder("<domainbackup mode='push'>");
        if (incremental != null) {
            b.append("<incremental>").append(incremental).append("</incremental>");
        }
        b.append("<disks>");
        for (String d : DISKS) {
            b.append("<disk name='").append(d).append("' type='file'><target file='").append(out.resolve(d + "." + suffix))
                    .append("'/></disk>");
        }
        return b.append("</disks></domainbackup>").toString();
    }

    static String pullXml(String incremental, Path out) {
        StringBuilder b = new StringBuilder("<domainbackup mode='pull'>");
        if (incremental != null) {
            b.append("<incremental>").append(incremental).append("</incremental>");
        }
        b.append("<server transport='unix' socket='").append(out.resolve("nbd.sock")).append("'/><disks>");
        for (String d : DISKS) {
            b.append("<disk name='").append(d).append("' type='file'><scratch file='")
                    .append(out.resolve(d + ".scratch")).append("'/></disk>");
        }
        return b.append("</disks></domainbackup>").toString();
    }
}
