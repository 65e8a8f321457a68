package io.backpoint.qemu.backup;

import io.backpoint.model.BackupDiskDef;
import io.backpoint.model.BackupDiskMode;
import io.backpoint.qemu.block.BlockActions;
import io.backpoint.qemu.block.BlockNodes;
import io.backpoint.qemu.qmp.JobInfo;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.qemu.qmp.QmpCommands;
import io.backpoint.qemu.qmp.QmpStep;
import io.backpoint.qemu.qmp.QmpException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Taking a job's things out of QEMU and off the disk. Every step checks what is really there
 * first (a later process, or one after a crash, does not know how far the job got), and a step
 * that fails is recorded as the job's error rather than stopping the rest: leaving one stray
 * node is better than leaving everything.
 */
final class JobCleanup {
    static final Duration CANCEL_WAIT = Duration.ofSeconds(30);

    private JobCleanup() {}

    /** Cancels (if still running) and dismisses the disk's block job, if QEMU has it. */
    static void cancelAndDismiss(QmpClient qmp, BackupJob job, String jobId, List<JobInfo> jobs) throws IOException {
        JobInfo j = jobs.stream().filter(x -> x.id().equals(jobId)).findFirst().orElse(null);
        if (j == null) {
            return;
        }
        if (!j.concluded()) {
            try {
                qmp.execute(QmpCommands.blockJobCancel(jobId, true));
            } catch (QmpException e) {
                // It may have concluded in between; waiting tells.
            }
            qmp.awaitConcluded(jobId, CANCEL_WAIT);
        }
        try {
            qmp.execute(QmpCommands.jobDismiss(jobId));
        } catch (QmpException e) {
            job.recordError(e.libvirtMessage());
        }
    }

    /** Stops the NBD server if this job started it (QEMU drops every export with it). */
    static void stopNbd(QmpClient qmp, BackupJob job) {
        if (!job.nbdRunning) {
            return;
        }
        try {
            qmp.execute(QmpCommands.nbdServerStop());
        } catch (QmpException e) {
            // "NBD server not running": it is gone already, which is what we want.
        } catch (IOException e) {
            job.recordError("cannot stop the NBD server: " + e.getMessage());
        }
        job.nbdRunning = false;
    }

    /**
     * Detaches the disk's target or scratch nodes and removes a push job's temporary bitmap
     * from the disk.
     */
    static void detach(QmpClient qmp, BackupJob job, BackupDiskDef disk, BlockNodes nodes) {
        for (String type : List.of("format", "storage")) {
            String node = BackupJob.nodeName(disk.store(), type);
            if (node != null && nodes.hasNode(node)) {
                try {
                    qmp.execute(QmpCommands.blockdevDel(node));
                } catch (IOException e) {
                    job.recordError("cannot detach node '" + node + "': " + e.getMessage());
                }
            }
        }
        if (!job.pull() && disk.backupmode() == BackupDiskMode.INCREMENTAL) {
            String top = BackupNames.top(disk.name());
            String bitmap = BackupNames.tempBitmap(disk.name(), null);
            if (nodes.bitmap(top, bitmap).isPresent()) {
                try {
                    qmp.execute(QmpStep.ofAction(BlockActions.bitmapRemove(top, bitmap)));
                } catch (IOException e) {
                    job.recordError("cannot remove bitmap '" + bitmap + "' of disk '" + disk.name() + "': "
                            + e.getMessage());
                }
            }
        }
    }

    /** Deletes the files Backpoint created for the job (all of them, or none) and its unix socket. */
    static void deleteFiles(BackupJob job, boolean createdFiles) {
        if (createdFiles) {
            for (String f : job.created) {
                delete(job, Path.of(f));
            }
        }
        if (job.socket != null) {
            delete(job, Path.of(job.socket));
        }
    }

    private static void delete(BackupJob job, Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            job.recordError("cannot delete '" + file + "': " + e.getMessage());
        }
    }
}
