package io.backpoint.qemu.backup;

import io.backpoint.error.BackpointException;
import io.backpoint.image.restore.FileContent;
import io.backpoint.image.restore.PushRecords;
import io.backpoint.image.restore.PushTarget;
import io.backpoint.image.restore.TargetFormat;
import io.backpoint.model.BackupDiskDef;
import io.backpoint.model.BackupDiskMode;
import io.backpoint.model.BackupDiskState;
import io.backpoint.model.StoreType;
import java.nio.file.Path;

/**
 * The records restore reads, written beside each push target of a completed backup: which
 * domain and disk it holds, full or incremental since which checkpoint, which checkpoint it
 * created, its size, format, start time, backing file and content. What a job knows of its
 * targets, handed to the writer both drivers share ({@link PushRecords}).
 */
final class TargetRecords {
    private TargetRecords() {}

    /**
     * Writes the record of each completed push target that is a file (a block device has no
     * sibling file to hold one). A record that cannot be written is the job's error; the others
     * are still written.
     */
    static void write(String domain, BackupJob job) {
        for (BackupDiskDef d : job.def.backedUpDisks()) {
            DiskSource source = job.sources.get(d.name());
            if (d.state() != BackupDiskState.COMPLETE || d.type() == StoreType.BLOCK || d.store() == null
                    || d.store().path() == null || source == null) {
                continue;
            }
            Path path = Path.of(d.store().path());
            String since = d.backupmode() == BackupDiskMode.INCREMENTAL ? d.incremental() : null;
            PushTarget target = new PushTarget(d.name(), path, TargetFormat.of(d.driverType()),
                    source.virtualSize(), since, source.path());
            try {
                // What the job wrote, so that restore refuses the file if it is later truncated or altered.
                PushRecords.put(path, PushRecords.of(domain, job.checkpoint, job.beginMillis, target)
                        .withContent(FileContent.of(path)), job.reuse);
            } catch (BackpointException e) {
                // The backup itself is good; say what restore will miss rather than keep the job open.
                job.recordError(e.getMessage());
            }
        }
    }

    /**
     * Removes the temporary files a record write killed before its rename left beside the job's
     * file targets (only those named as the record writer names them).
     */
    static void removeLeftovers(BackupJob job) {
        for (BackupDiskDef d : job.def.backedUpDisks()) {
            if (d.type() != StoreType.BLOCK && d.store() != null && d.store().path() != null) {
                PushRecords.removeLeftovers(Path.of(d.store().path()));
            }
        }
    }

    /** Refuses a push target whose record name is taken ({@link PushRecords#checkFree}); a block device has none. */
    static void checkFree(DiskPlan d, boolean reuse) {
        if (d.type() != StoreType.BLOCK) {
            PushRecords.checkFree(Path.of(d.path()), d.disk(), reuse);
        }
    }
}
