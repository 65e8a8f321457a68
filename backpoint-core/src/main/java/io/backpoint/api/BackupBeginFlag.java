package io.backpoint.api;

import java.util.EnumSet;
import java.util.Set;

/** virDomainBackupBeginFlags, with libvirt's bit values. */
public enum BackupBeginFlag {
    /** Targets and scratch files already exist with the right format and size; use them and never delete them. */
    REUSE_EXTERNAL(1),
    /**
     * Backpoint extension (libvirt has no such flag): freeze the guest's file systems through its
     * agent for the begin transaction only, so the backup holds what the guest had committed.
     */
    QUIESCE(1 << 16);

    private final int bit;

    BackupBeginFlag(int bit) {
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }

    public static EnumSet<BackupBeginFlag> fromMask(int mask) {
        return Flags.fromMask(BackupBeginFlag.class, mask, BackupBeginFlag::bit, "virDomainBackupBegin");
    }

    public static int toMask(Set<BackupBeginFlag> flags) {
        return Flags.toMask(flags, BackupBeginFlag::bit);
    }
}
