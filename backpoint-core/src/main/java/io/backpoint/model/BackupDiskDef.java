package io.backpoint.model;

import java.util.Objects;

/**
 * One {@code <disk>} of a backup.
 *
 * @param name the disk's target (vda)
 * @param backup whether the disk is backed up
 * @param backupmode full or incremental; DEFAULT until alignment
 * @param incremental the checkpoint this disk's incremental backup starts from, or null
 * @param exportName NBD export name (pull), or null until the job fills in the default
 * @param exportBitmap name of the bitmap exported with it (pull), or null
 * @param type whether the store is a file or a block device; null for disks not backed up
 * @param store target (push) or scratch (pull), or null when none was given
 * @param driverType image format of the store from {@code <driver type=>}, or null
 * @param state job progress of this disk (job records only)
 * @param index storage source index of the store; 0 when unset
 */
public record BackupDiskDef(
        String name,
        boolean backup,
        BackupDiskMode backupmode,
        String incremental,
        String exportName,
        String exportBitmap,
        StoreType type,
        BackupStore store,
        DiskFormat driverType,
        BackupDiskState state,
        int index) {

    public BackupDiskDef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(backupmode, "backupmode");
        Objects.requireNonNull(state, "state");
        if (index < 0) {
            throw new IllegalArgumentException("index must not be negative: " + index);
        }
    }

    /** A disk entry that is not backed up. */
    public static BackupDiskDef excluded(String name) {
        return new BackupDiskDef(name, false, BackupDiskMode.DEFAULT, null, null, null, null, null, null,
                BackupDiskState.NONE, 0);
    }

    /** A disk backed up into a store of the given type, everything else left to alignment. */
    public static BackupDiskDef included(String name, StoreType type, BackupStore store) {
        return new BackupDiskDef(name, true, BackupDiskMode.DEFAULT, null, null, null, type, store, null,
                BackupDiskState.NONE, 0);
    }

    public BackupDiskDef withStore(StoreType newType, BackupStore newStore) {
        return new BackupDiskDef(name, backup, backupmode, incremental, exportName, exportBitmap, newType, newStore,
                driverType, state, index);
    }

    public BackupDiskDef withStore(BackupStore newStore) {
        return withStore(type, newStore);
    }

    public BackupDiskDef withBackupMode(BackupDiskMode newMode) {
        return new BackupDiskDef(name, backup, newMode, incremental, exportName, exportBitmap, type, store,
                driverType, state, index);
    }

    public BackupDiskDef withIncremental(String newIncremental) {
        return new BackupDiskDef(name, backup, backupmode, newIncremental, exportName, exportBitmap, type, store,
                driverType, state, index);
    }

    public BackupDiskDef withExportName(String newExportName) {
        return new BackupDiskDef(name, backup, backupmode, incremental, newExportName, exportBitmap, type, store,
                driverType, state, index);
    }

    public BackupDiskDef withExportBitmap(String newExportBitmap) {
        return new BackupDiskDef(name, backup, backupmode, incremental, exportName, newExportBitmap, type, store,
                driverType, state, index);
    }

    public BackupDiskDef withDriverType(DiskFormat newDriverType) {
        return new BackupDiskDef(name, backup, backupmode, incremental, exportName, exportBitmap, type, store,
                newDriverType, state, index);
    }

    public BackupDiskDef withState(BackupDiskState newState) {
        return new BackupDiskDef(name, backup, backupmode, incremental, exportName, exportBitmap, type, store,
                driverType, newState, index);
    }

    public BackupDiskDef withIndex(int newIndex) {
        return new BackupDiskDef(name, backup, backupmode, incremental, exportName, exportBitmap, type, store,
                driverType, state, newIndex);
    }
}
