package io.backpoint.vocab;

import java.util.EnumSet;
import java.util.Set;

/** virDomainCheckpointCreateFlags, with libvirt's bit values. */
public enum CheckpointCreateFlag {
    /** Restore or alter metadata only. */
    REDEFINE(1),
    /** Quiesce guest file systems (test driver: accepted, no effect; QEMU driver: refused, as libvirt). */
    QUIESCE(2),
    /** With REDEFINE: check that each disk's bitmap exists and is usable. */
    REDEFINE_VALIDATE(4);

    private final int bit;

    CheckpointCreateFlag(int bit) {
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }

    public static EnumSet<CheckpointCreateFlag> fromMask(int mask) {
        return Flags.fromMask(CheckpointCreateFlag.class, mask, CheckpointCreateFlag::bit, "virDomainCheckpointCreateXML");
    }

    public static int toMask(Set<CheckpointCreateFlag> flags) {
        return Flags.toMask(flags, CheckpointCreateFlag::bit);
    }
}
