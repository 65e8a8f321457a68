package io.backpoint.backup;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.BackupDef;
import io.backpoint.model.BackupDiskDef;
import io.backpoint.model.BackupDiskMode;
import io.backpoint.model.BackupStore;
import io.backpoint.model.DomainDef;
import io.backpoint.model.DomainDiskDef;
import io.backpoint.model.StoreType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Aligns a parsed backup definition with the domain it backs up (libvirt's
 * {@code virDomainBackupAlignDisks}): checks the listed disks, generates missing target or
 * scratch file names as {@code <disk source>.<suffix>}, lists every other domain disk, and
 * resolves each disk's mode and checkpoint. Kept apart from parsing so that a job record can be
 * re-read without being re-aligned.
 */
public final class BackupAlign {
    private BackupAlign() {}

    /**
     * Returns the aligned definition.
     *
     * @param suffix appended to generated file names: the new checkpoint's name, else the start time
     * @throws BackpointException CONFIG_UNSUPPORTED naming the disk at fault
     */
    public static BackupDef align(BackupDef def, DomainDef domain, String suffix) {
        if (def == null || domain == null || suffix == null) {
            throw new BackpointException(ErrorCode.INVALID_ARG,
                    "backup alignment needs a definition, a domain and a suffix");
        }
        if (domain.disks().isEmpty()) {
            throw new BackpointException(ErrorCode.CONFIG_UNSUPPORTED,
                    "domain must have at least one disk to perform backup");
        }
        Set<String> listed = new HashSet<>();
        List<BackupDiskDef> disks = new ArrayList<>(Math.max(def.disks().size(), domain.disks().size()));
        for (BackupDiskDef disk : def.disks()) {
            DomainDiskDef domainDisk = domain.diskByTarget(disk.name());
            if (domainDisk == null) {
                throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED, "no disk named '%s'", disk.name());
            }
            if (!listed.add(disk.name())) {
                throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED, "disk '%s' specified twice", disk.name());
            }
            if (disk.backupmode() == BackupDiskMode.INCREMENTAL && disk.incremental() == null
                    && def.incremental() == null) {
                throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED,
                        "'incremental' backup mode of disk '%s' requires setting 'incremental' field for disk"
                                + " or backup", disk.name());
            }
            disks.add(disk.backup() ? assignStore(disk, domainDisk, suffix) : disk);
        }

        // An empty list means "back up everything that can be"; otherwise the rest is left out.
        boolean backupAll = def.disks().isEmpty();
        for (DomainDiskDef domainDisk : domain.disks()) {
            if (listed.contains(domainDisk.targetDev())) {
                continue;
            }
            if (backupAll && !domainDisk.empty() && !domainDisk.readonly()) {
                disks.add(assignStore(BackupDiskDef.included(domainDisk.targetDev(), StoreType.FILE, null),
                        domainDisk, suffix));
            } else {
                disks.add(BackupDiskDef.excluded(domainDisk.targetDev()));
            }
        }

        for (int i = 0; i < disks.size(); i++) {
            disks.set(i, resolveMode(disks.get(i), def.incremental()));
        }
        return def.withDisks(disks);
    }

    /** Gives a backed-up disk somewhere to write: the store it names, or a file next to its source. */
    private static BackupDiskDef assignStore(BackupDiskDef disk, DomainDiskDef domainDisk, String suffix) {
        // libvirt's parser gives every selected disk a store, so an empty drive always fails here.
        if (domainDisk.empty()) {
            throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED, "disk '%s' has no media", disk.name());
        }
        BackupStore store = disk.store();
        if (store != null && store.path() != null) {
            return disk;
        }
        // Only a file can be created beside its source; a device or network disk needs an explicit store.
        if (!"file".equals(domainDisk.type())) {
            throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED,
                    "refusing to generate file name for disk '%s'", disk.name());
        }
        BackupStore base = store == null ? BackupStore.of(null) : store;
        return disk.withStore(StoreType.FILE, base.withPath(domainDisk.source() + "." + suffix));
    }

    private static BackupDiskDef resolveMode(BackupDiskDef disk, String backupIncremental) {
        BackupDiskDef d = disk;
        if (d.backupmode() == BackupDiskMode.DEFAULT) {
            boolean incremental = backupIncremental != null || d.incremental() != null;
            d = d.withBackupMode(incremental ? BackupDiskMode.INCREMENTAL : BackupDiskMode.FULL);
        }
        if (d.incremental() == null && d.backupmode() == BackupDiskMode.INCREMENTAL) {
            d = d.withIncremental(backupIncremental);
        }
        return d;
    }
}
