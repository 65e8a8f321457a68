package io.backpoint.vocab;

import java.util.EnumSet;
import java.util.Set;

/** virDomainBlockPullFlags, with libvirt's bit values. */
public enum BlockPullFlag {
    /** The bandwidth argument is in bytes/s rather than MiB/s. */
    BANDWIDTH_BYTES(1 << 6);

    private final int bit;

    BlockPullFlag(int bit) {
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }

    public static EnumSet<BlockPullFlag> fromMask(int mask) {
        return Flags.fromMask(BlockPullFlag.class, mask, BlockPullFlag::bit, "virDomainBlockPull");
    }

    public static int toMask(Set<BlockPullFlag> flags) {
        return Flags.toMask(flags, BlockPullFlag::bit);
    }
}
