package io.backpoint.libvirt;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.BackupDef;
import io.backpoint.model.BackupDiskDef;
import io.backpoint.model.BackupDiskMode;
import io.backpoint.model.BackupMode;
import io.backpoint.model.DiskFormat;
import io.backpoint.model.DomainDef;
import io.backpoint.model.DomainDiskDef;
import io.backpoint.model.StoreType;
import io.backpoint.qemu.backup.TargetFormat;
import io.backpoint.qemu.restore.BackupRecord;
import io.backpoint.qemu.restore.ImageFormat;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.ToLongFunction;

/**
 * The restore records ({@code <target>.json}, the QEMU driver's format) of a push backup run
 * through libvirt, which writes none itself. Written when the job has begun, from the job as
 * libvirt filled it in, so that {@code restore} checks a libvirt chain as it checks its own.
 */
final class LibvirtRecords {
    private LibvirtRecords() {}

    /**
     * One record per file target of a push backup; none for a pull backup or a block target. A
     * record never replaces a file, except an earlier record of a reused target.
     */
    static void write(String domain, BackupDef job, String createdCheckpoint, long beganMillis,
            DomainDef live, ToLongFunction<String> capacity, boolean reuse) {
        if (job.mode() != BackupMode.PUSH) {
            return;
        }
        long created = Math.max(1, beganMillis / 1000);
        for (BackupDiskDef d : job.backedUpDisks()) {
            if (d.type() == StoreType.BLOCK || d.store() == null || d.store().path() == null) {
                continue;
            }
            ImageFormat format = TargetFormat.of(d.driverType() == null ? DiskFormat.QCOW2 : d.driverType());
            Path target = Path.of(d.store().path());
            long size = capacity.applyAsLong(d.name());
            String since = d.incremental() != null ? d.incremental() : job.incremental();
            BackupRecord record = d.backupmode() == BackupDiskMode.INCREMENTAL || (d.backupmode() != BackupDiskMode.FULL && since != null)
                    ? BackupRecord.incremental(domain, d.name(), createdCheckpoint, since, size, format, created,
                            backing(live, d.name(), format))
                    : BackupRecord.full(domain, d.name(), createdCheckpoint, size, format, created);
            if (reuse && Files.exists(BackupRecord.pathFor(target), LinkOption.NOFOLLOW_LINKS)) {
                BackupRecord.write(target, record);
            } else {
                BackupRecord.create(target, record);
            }
        }
    }

    /** libvirt's incremental qcow2 target names the live disk as its backing file. */
    private static String backing(DomainDef live, String disk, ImageFormat format) {
        DomainDiskDef d = live.diskByTarget(disk);
        return format == ImageFormat.QCOW2 && d != null ? d.source() : null;
    }

    /** Refuses up front a push target whose record name is taken by something that is not its record. */
    static void checkFree(BackupDef def, boolean reuse) {
        if (def.mode() != BackupMode.PUSH) {
            return;
        }
        for (BackupDiskDef d : def.backedUpDisks()) {
            if (d.type() == StoreType.BLOCK || d.store() == null || d.store().path() == null) {
                continue;
            }
            Path target = Path.of(d.store().path());
            Path file = BackupRecord.pathFor(target);
            // An existing target is libvirt's to refuse, with its own message, as virsh shows it.
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !reuse && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw BackpointException.of(ErrorCode.INVALID_ARG,
                        "backup record '%s' for store '%s' of disk '%s' exists", file, d.store().path(), d.name());
            }
        }
    }
}
