package io.backpoint.qemu.backup;

import io.backpoint.model.BackupDiskDef;
import io.backpoint.model.BackupDiskMode;
import io.backpoint.model.BackupDiskState;
import io.backpoint.qemu.restore.BackupRecord;
import io.backpoint.qemu.restore.ImageFormat;
import java.nio.file.Path;

/**
 * The records restore reads, written beside each push target of a completed backup: which
 * domain and disk it holds, full or incremental since which checkpoint, which checkpoint it
 * created, its size, format, start time and backing file.
 */
final class TargetRecords {
    private TargetRecords() {}

    static void write(String domain, BackupJob job) {
        long created = Math.max(1, job.beginMillis / 1000);
        for (BackupDiskDef d : job.def.backedUpDisks()) {
            DiskSource source = job.sources.get(d.name());
            if (d.state() != BackupDiskState.COMPLETE || d.store() == null || d.store().path() == null
                    || source == null) {
                continue;
            }
            ImageFormat format = ImageFormat.fromSpelling(d.driverType());
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
            BackupRecord.write(target, record);
        }
    }
}
