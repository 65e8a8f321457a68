package io.backpoint.qemu.blockjob;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.qemu.block.BlockNodeNames;
import io.backpoint.qemu.qmp.QmpStep;

/**
 * The QMP commands of a block pull on one disk. Pure. The job keeps {@code auto-dismiss} off, as
 * libvirt does, so a job that failed (its NBD backing gone, say) stays in QEMU with its error
 * until Backpoint has read it; the job id is derived from the disk, so any later process finds it.
 */
final class PullPlanner {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private PullPlanner() {}

    static String jobId(String target) {
        return "pull-" + target;
    }

    /**
     * {@code block-stream} on the disk's format node: copies whatever the backing chain holds
     * that the top image does not into the top image, then drops the chain. Clusters the top
     * image already holds are skipped, which is what makes a restarted pull a resume.
     *
     * @param speed bytes/s, 0 for no limit
     */
    static QmpStep start(String target, long speed) {
        ObjectNode args = F.objectNode().put("job-id", jobId(target)).put("device", BlockNodeNames.format(target));
        if (speed > 0) {
            args.put("speed", speed);
        }
        args.put("auto-dismiss", false);
        return new QmpStep("block-stream", args);
    }

    /** Every block job with its progress and, once concluded, its error. */
    static QmpStep query() {
        return new QmpStep("query-block-jobs", null);
    }

    /** Removes a concluded job, once its outcome has been read. */
    static QmpStep dismiss(String target) {
        return new QmpStep("job-dismiss", F.objectNode().put("id", jobId(target)));
    }
}
