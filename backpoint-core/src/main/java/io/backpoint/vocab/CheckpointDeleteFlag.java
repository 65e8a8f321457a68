package io.backpoint.vocab;

import java.util.EnumSet;
import java.util.Set;

/** virDomainCheckpointDeleteFlags, with libvirt's bit values. */
public enum CheckpointDeleteFlag {
    /** Also delete every descendant. */
    CHILDREN(1),
    /** Delete metadata only; bitmaps stay in the images. */
    METADATA_ONLY(2),
    /** Delete the descendants only, keep this checkpoint. */
    CHILDREN_ONLY(4);

    private final int bit;

    CheckpointDeleteFlag(int bit) {
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }

    public static EnumSet<CheckpointDeleteFlag> fromMask(int mask) {
        return Flags.fromMask(CheckpointDeleteFlag.class, mask, CheckpointDeleteFlag::bit, "virDomainCheckpointDelete");
    }

    public static int toMask(Set<CheckpointDeleteFlag> flags) {
        return Flags.toMask(flags, CheckpointDeleteFlag::bit);
    }
}
