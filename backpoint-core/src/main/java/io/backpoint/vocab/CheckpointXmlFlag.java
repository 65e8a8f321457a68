package io.backpoint.vocab;

import java.util.EnumSet;
import java.util.Set;

/** virDomainCheckpointXMLFlags, with libvirt's bit values. */
public enum CheckpointXmlFlag {
    /** Include security-sensitive data in the embedded domain. */
    SECURE(1),
    /** Leave out the embedded domain. */
    NO_DOMAIN(2),
    /** Add each disk's dirty byte count since the checkpoint. */
    SIZE(4);

    private final int bit;

    CheckpointXmlFlag(int bit) {
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }

    public static EnumSet<CheckpointXmlFlag> fromMask(int mask) {
        return Flags.fromMask(CheckpointXmlFlag.class, mask, CheckpointXmlFlag::bit, "virDomainCheckpointGetXMLDesc");
    }

    public static int toMask(Set<CheckpointXmlFlag> flags) {
        return Flags.toMask(flags, CheckpointXmlFlag::bit);
    }
}
