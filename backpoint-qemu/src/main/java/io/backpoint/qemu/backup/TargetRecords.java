package io.backpoint.qemu.backup;

import io.backpoint.model.BackupDiskDef;
import io.backpoint.model.BackupDiskMode;
import io.backpoint.model.BackupDiskState;

/**
 * The records restore reads, written beside each push target of a completed backup: which
 * domain and disk it holds, full or incremental since which checkpoint, which checkpoint it
 * created, its size, format, time and backing file.
 */
final class TargetRecords {
    private TargetRecords() {}

    static void write(String domain, BackupJob job) {
        for (BackupDiskDef d : job.def.backedUpDisks()) {
            if (d.state() != BackupDiskState.COMPLETE || d.store() == null || d.store().path() == null) {
                continue;
            }
            DiskSource source = job.sources.get(d.name());
            boolean incremental = d.backupmode() == BackupDiskMode.INCREMENTAL;
            String backing = incremental && "qcow2".equals(d.driverType()) && source != null ? source.path() : null;
            // RESTORE-RECORD CALL SITE: io.backpoint.qemu.restore.BackupRecord is not on this branch
            // yet. Once merged, write here:
            //   BackupRecord.write(Path.of(d.store().path()), new BackupRecord(BackupRecord.VERSION, domain,
            //       d.name(), incremental ? INCREMENTAL : FULL, job.checkpoint, d.incremental(),
            //       source.virtualSize(), format(d.driverType()), job.beginMillis / 1000, backing));
        }
    }
}
