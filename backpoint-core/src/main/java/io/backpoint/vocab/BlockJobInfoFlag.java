package io.backpoint.vocab;

import java.util.EnumSet;
import java.util.Set;

/** virDomainBlockJobInfoFlags, with libvirt's bit values. */
public enum BlockJobInfoFlag {
    /** Report the bandwidth in bytes/s rather than MiB/s. */
    BANDWIDTH_BYTES(1);

    private final int bit;

    BlockJobInfoFlag(int bit) {
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }

    public static EnumSet<BlockJobInfoFlag> fromMask(int mask) {
        return Flags.fromMask(BlockJobInfoFlag.class, mask, BlockJobInfoFlag::bit, "virDomainGetBlockJobInfo");
    }

    public static int toMask(Set<BlockJobInfoFlag> flags) {
        return Flags.toMask(flags, BlockJobInfoFlag::bit);
    }
}
