package io.backpoint.qemu.backup;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.BackupDiskDef;
import io.backpoint.model.BackupDiskMode;
import io.backpoint.model.BackupDiskState;
import io.backpoint.model.StoreType;
import io.backpoint.qemu.restore.BackupRecord;
import io.backpoint.qemu.restore.FileContent;
import io.backpoint.util.AtomicFiles;
import io.backpoint.qemu.restore.ImageFormat;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The records restore reads, written beside each push target of a completed backup: which
 * domain and disk it holds, full or incremental since which checkpoint, which checkpoint it
 * created, its size, format, start time and backing file.
 */
final class TargetRecords {
    private TargetRecords() {}

    /**
     * Writes the record of each completed push target that is a file (a block device has no
     * sibling file to hold one). A record never replaces a file, except the earlier record of a
     * reused target (REUSE_EXTERNAL), which begin checked. A record that cannot be written is
     * the job's error; the others are still written.
     */
    static void write(String domain, BackupJob job) {
        long created = Math.max(1, job.beginMillis / 1000);
        for (BackupDiskDef d : job.def.backedUpDisks()) {
            DiskSource source = job.sources.get(d.name());
            if (d.state() != BackupDiskState.COMPLETE || d.type() == StoreType.BLOCK || d.store() == null
                    || d.store().path() == null || source == null) {
                continue;
            }
            ImageFormat format = TargetFormat.of(d.driverType());
            Path target = Path.of(d.store().path());
            BackupRecord record;
            if (d.backupmode() == BackupDiskMode.INCREMENTAL) {
                // Only a qcow2 target names the live disk as its backing file; raw incrementals are refused.
                String backing = format == ImageFormat.QCOW2 ? source.path() : null;
                record = BackupRecord.incremental(domain, d.name(), job.checkpoint, d.incremental(),
                        source.virtualSize(), format, created, backing);
            } else {
                record = BackupRecord.full(domain, d.name(), job.checkpoint, source.virtualSize(), format, created);
            }
            try {
                // What the job wrote, so that restore refuses the file if it is later truncated or altered.
                record = record.withContent(FileContent.of(target));
                AtomicFiles.removeLeftovers(BackupRecord.pathFor(target));
                if (record.equals(existing(target))) {
                    // Written by a finish that was killed before it could forget the job.
                    continue;
                }
                if (job.reuse && Files.exists(BackupRecord.pathFor(target), LinkOption.NOFOLLOW_LINKS)) {
                    BackupRecord.write(target, record);
                } else {
                    BackupRecord.create(target, record);
                }
            } catch (BackpointException e) {
                // The backup itself is good; say what restore will miss rather than keep the job open.
                job.recordError(e.getMessage());
            }
        }
    }

    /** The record beside the target, or null when there is none or it cannot be read. */
    private static BackupRecord existing(Path target) {
        try {
            return BackupRecord.read(target).orElse(null);
        } catch (BackpointException e) {
            return null;
        }
    }

    /**
     * Removes the temporary files a record write killed before its rename left beside the job's
     * file targets (only those named as the record writer names them).
     */
    static void removeLeftovers(BackupJob job) {
        for (BackupDiskDef d : job.def.backedUpDisks()) {
            if (d.type() != StoreType.BLOCK && d.store() != null && d.store().path() != null) {
                AtomicFiles.removeLeftovers(BackupRecord.pathFor(Path.of(d.store().path())));
            }
        }
    }

    /**
     * Refuses a push target whose record name is taken, unless the target is reused and that
     * file is a record (of an earlier backup into the same target), which the new one replaces.
     */
    static void checkFree(DiskPlan d, boolean reuse) {
        if (d.type() == StoreType.BLOCK) {
            return;
        }
        Path target = Path.of(d.path());
        Path file = BackupRecord.pathFor(target);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!reuse) {
            throw BackpointException.of(ErrorCode.INVALID_ARG,
                    "backup record '%s' for store '%s' of disk '%s' exists", file, d.path(), d.disk());
        }
        try {
            BackupRecord.read(target);
        } catch (BackpointException e) {
            throw BackpointException.of(ErrorCode.INVALID_ARG,
                    "file '%s' beside store '%s' of disk '%s' is not a backup record", file, d.path(), d.disk());
        }
    }
}
