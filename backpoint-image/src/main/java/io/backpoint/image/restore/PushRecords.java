package io.backpoint.image.restore;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.util.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The records restore reads ({@code <target>.json}), written beside the file targets of a push
 * backup by either driver: the QEMU driver when its job completes, the libvirt driver (libvirt
 * writes none) when libvirt's job has begun. One format and one set of rules for both, so that
 * {@code restore} checks every chain alike and no record ever replaces a file it did not write.
 */
public final class PushRecords {
    private PushRecords() {}

    /**
     * The record of one target of a backup begun at {@code beganMillis} that creates
     * {@code checkpoint} (may be null): full, or incremental since {@code target.since()}. Only a
     * qcow2 incremental names the live disk as its backing file, as QEMU and libvirt write it
     * (raw incrementals are refused before a job starts).
     */
    public static BackupRecord of(String domain, String checkpoint, long beganMillis, PushTarget target) {
        long created = Math.max(1, beganMillis / 1000);
        if (target.since() == null) {
            return BackupRecord.full(domain, target.disk(), checkpoint, target.virtualSize(), target.format(), created);
        }
        String backing = target.format() == ImageFormat.QCOW2 ? target.liveSource() : null;
        return BackupRecord.incremental(domain, target.disk(), checkpoint, target.since(), target.virtualSize(),
                target.format(), created, backing);
    }

    /**
     * Writes {@code record} beside {@code target}. A record never replaces a file, except the
     * earlier record of a reused target (REUSE_EXTERNAL, which {@link #checkFree} checked). The
     * same record already there (written by a call killed before it could say so) is kept, and
     * the temporary files of a killed record write are removed first.
     */
    public static void put(Path target, BackupRecord record, boolean reuse) {
        Path file = BackupRecord.pathFor(target);
        AtomicFiles.removeLeftovers(file);
        if (record.equals(existing(target))) {
            return;
        }
        if (reuse && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            BackupRecord.write(target, record);
        } else {
            BackupRecord.create(target, record);
        }
    }

    /**
     * Refuses, before a job starts, a target of {@code disk} whose record name is taken, unless
     * the target is reused and that file is a record (of an earlier backup into the same
     * target), which the new one replaces.
     */
    public static void checkFree(Path target, String disk, boolean reuse) {
        Path file = BackupRecord.pathFor(target);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!reuse) {
            throw BackpointException.of(ErrorCode.INVALID_ARG,
                    "backup record '%s' for store '%s' of disk '%s' exists", file, target, disk);
        }
        try {
            BackupRecord.read(target);
        } catch (BackpointException e) {
            throw BackpointException.of(ErrorCode.INVALID_ARG,
                    "file '%s' beside store '%s' of disk '%s' is not a backup record", file, target, disk);
        }
    }

    /** Removes the temporary files a killed record write left beside {@code target} (only those named as {@link #put} names them). */
    public static void removeLeftovers(Path target) {
        AtomicFiles.removeLeftovers(BackupRecord.pathFor(target));
    }

    /** The record beside the target, or null when there is none or it cannot be read. */
    private static BackupRecord existing(Path target) {
        try {
            return BackupRecord.read(target).orElse(null);
        } catch (BackpointException e) {
            return null;
        }
    }
}
