package io.backpoint.vocab;

import java.util.EnumSet;
import java.util.Set;

/**
 * virDomainCheckpointListFlags, with libvirt's bit values. ROOTS (listing a domain) and
 * DESCENDANTS (listing a checkpoint's children) are the same bit, as in libvirt.
 */
public enum CheckpointListFlag {
    /** For a domain's list: only checkpoints without a parent. */
    ROOTS(1),
    /** For a checkpoint's children: all descendants, not just children. */
    DESCENDANTS(1),
    /** Parents before children. */
    TOPOLOGICAL(2),
    /** Only checkpoints without children. */
    LEAVES(4),
    /** Only checkpoints with children. */
    NO_LEAVES(8);

    private final int bit;

    CheckpointListFlag(int bit) {
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }

    /** Flags for listing a domain's checkpoints: bit 1 means ROOTS. */
    public static EnumSet<CheckpointListFlag> forDomain(int mask) {
        EnumSet<CheckpointListFlag> set = Flags.fromMask(CheckpointListFlag.class, mask, CheckpointListFlag::bit,
                "virDomainListAllCheckpoints");
        set.remove(DESCENDANTS);
        return set;
    }

    /** Flags for listing a checkpoint's children: bit 1 means DESCENDANTS. */
    public static EnumSet<CheckpointListFlag> forChildren(int mask) {
        EnumSet<CheckpointListFlag> set = Flags.fromMask(CheckpointListFlag.class, mask, CheckpointListFlag::bit,
                "virDomainCheckpointListAllChildren");
        set.remove(ROOTS);
        return set;
    }

    public static int toMask(Set<CheckpointListFlag> flags) {
        return Flags.toMask(flags, CheckpointListFlag::bit);
    }
}
