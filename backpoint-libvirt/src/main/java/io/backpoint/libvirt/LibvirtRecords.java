package io.backpoint.libvirt;

import io.backpoint.image.restore.ImageFormat;
import io.backpoint.image.restore.PushRecords;
import io.backpoint.image.restore.PushTarget;
import io.backpoint.image.restore.TargetFormat;
import io.backpoint.model.BackupDef;
import io.backpoint.model.BackupDiskDef;
import io.backpoint.model.BackupDiskMode;
import io.backpoint.model.BackupMode;
import io.backpoint.model.DiskFormat;
import io.backpoint.model.DomainDef;
import io.backpoint.model.DomainDiskDef;
import io.backpoint.model.StoreType;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The restore records ({@code <target>.json}, the QEMU driver's format and writer) of a push
 * backup run through libvirt, which writes none itself. Written when the job has begun, from the
 * job as libvirt filled it in, so that {@code restore} checks a libvirt chain as it checks its own.
 */
final class LibvirtRecords {
    private LibvirtRecords() {}

    /**
     * One record per file target of a push backup; none for a pull backup or a block target. A
     * record never replaces a file, except an earlier record of a reused target.
     */
    static void write(String domain, BackupDef job, String createdCheckpoint, long beganMillis,
            DomainDef live, ToLongFunction<String> capacity, boolean reuse) {
        for (BackupDiskDef d : fileTargets(job)) {
            ImageFormat format = TargetFormat.of(d.driverType() == null ? DiskFormat.QCOW2 : d.driverType());
            Path path = Path.of(d.store().path());
            String since = d.incremental() != null ? d.incremental() : job.incremental();
            boolean incremental = d.backupmode() == BackupDiskMode.INCREMENTAL
                    || (d.backupmode() != BackupDiskMode.FULL && since != null);
            DomainDiskDef disk = live.diskByTarget(d.name());
            PushTarget target = new PushTarget(d.name(), path, format, capacity.applyAsLong(d.name()),
                    incremental ? since : null, disk == null ? null : disk.source());
            PushRecords.put(path, PushRecords.of(domain, createdCheckpoint, beganMillis, target), reuse);
        }
    }

    /** Refuses up front a push target whose record name is taken by something that is not its record. */
    static void checkFree(BackupDef def, boolean reuse) {
        for (BackupDiskDef d : fileTargets(def)) {
            Path target = Path.of(d.store().path());
            // An existing target is libvirt's to refuse, with its own message, as virsh shows it.
            if (reuse || !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                PushRecords.checkFree(target, d.name(), reuse);
            }
        }
    }

    /** The disks of a push backup whose target is a file: the ones that get a record. */
    private static List<BackupDiskDef> fileTargets(BackupDef def) {
        if (def.mode() != BackupMode.PUSH) {
            return List.of();
        }
        return def.backedUpDisks().stream()
                .filter(d -> d.type() != StoreType.BLOCK && d.store() != null && d.store().path() != null)
                .toList();
    }
}
