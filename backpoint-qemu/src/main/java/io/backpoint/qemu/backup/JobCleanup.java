package io.backpoint.qemu.backup;

import io.backpoint.model.BackupDiskDef;
import io.backpoint.qemu.block.BlockActions;
import io.backpoint.qemu.block.BlockNodes;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.qemu.qmp.QmpCommands;
import io.backpoint.qemu.qmp.QmpStep;
import io.backpoint.qemu.qmp.QmpException;
import io.backpoint.qemu.qmp.QmpJob;
import io.backpoint.util.IoErrors;
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
    static void cancelAndDismiss(QmpClient qmp, BackupJob job, String jobId, List<QmpJob> jobs) throws IOException {
        QmpJob j = jobs.stream().filter(x -> x.id().equals(jobId)).findFirst().orElse(null);
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

    /**
     * Stops the NBD server if this job started it (QEMU drops every export with it). A monitor
     * that goes away on the way is thrown: the record must keep saying the server runs, so that
     * the next call stops it.
     */
    static void stopNbd(QmpClient qmp, BackupJob job) throws IOException {
        if (!job.nbdRunning) {
            return;
        }
        try {
            qmp.execute(QmpCommands.nbdServerStop());
        } catch (QmpException e) {
            // "NBD server not running": it is gone already, which is what we want.
        }
        job.nbdRunning = false;
    }

    /**
     * Detaches the disk's target or scratch nodes and, once the begin's transaction has run,
     * removes the temporary bitmap the job recorded for the disk. Only a recorded one: a bitmap
     * of that name that the job did not add (a checkpoint's) is never touched, and before the
     * transaction ran, a bitmap of that name cannot be the job's. A step QEMU refuses is recorded
     * as the job's error and the others still go; a monitor that goes away is thrown, so that the
     * record stays and the next call detaches what is left.
     */
    static void detach(QmpClient qmp, BackupJob job, BackupDiskDef disk, BlockNodes nodes, boolean transactionRan)
            throws IOException {
        for (String type : List.of("format", "storage")) {
            String node = BackupJob.nodeName(disk.store(), type);
            if (node != null && nodes.hasNode(node)) {
                try {
                    qmp.execute(QmpCommands.blockdevDel(node));
                } catch (QmpException e) {
                    job.recordError("cannot detach node '" + node + "': " + IoErrors.reason(e));
                }
            }
        }
        String bitmap = job.bitmaps.get(disk.name());
        if (transactionRan && bitmap != null && hasTempBitmap(job, disk.name(), nodes)) {
            String top = BackupNames.top(disk.name());
            try {
                qmp.execute(QmpStep.ofAction(BlockActions.bitmapRemove(top, bitmap)));
            } catch (QmpException e) {
                job.recordError("cannot remove bitmap '" + bitmap + "' of disk '" + disk.name() + "': "
                        + IoErrors.reason(e));
            }
        }
    }

    /** Whether the disk still has the temporary bitmap the job recorded for it. */
    static boolean hasTempBitmap(BackupJob job, String disk, BlockNodes nodes) {
        String bitmap = job.bitmaps.get(disk);
        return bitmap != null && nodes.bitmap(BackupNames.top(disk), bitmap).isPresent();
    }

    /**
     * Dismisses a concluded {@code blockdev-create} job of the disk's target or scratch nodes:
     * a begin killed right after creating an image leaves it in QEMU, and its id would be
     * refused ("already in use") by every later backup of the disk.
     */
    static void dismissCreateJobs(QmpClient qmp, BackupJob job, BackupDiskDef disk, List<QmpJob> jobs) throws IOException {
        for (String type : List.of("storage", "format")) {
            String node = BackupJob.nodeName(disk.store(), type);
            if (node != null) {
                cancelAndDismiss(qmp, job, BackupNames.createJob(node), jobs);
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
        if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        io.backpoint.util.CrashPoints.before("delete:" + file.getFileName());
        try {
            Files.deleteIfExists(file);
            io.backpoint.util.CrashPoints.after("delete:" + file.getFileName());
        } catch (IOException e) {
            job.recordError("cannot delete '" + file + "': " + IoErrors.reason(e));
        }
    }
}
