package io.backpoint.qemu.agent;

/** {@code guest-fsfreeze-status}: whether the guest's file systems are frozen. */
public enum FreezeStatus {
    THAWED("thawed"),
    FROZEN("frozen");

    private final String wire;

    FreezeStatus(String wire) {
        this.wire = wire;
    }

    static FreezeStatus fromWire(String s) throws java.io.IOException {
        for (FreezeStatus f : values()) {
            if (f.wire.equals(s)) {
                return f;
            }
        }
        throw new java.io.IOException("guest agent reported an unknown freeze status '" + s + "'");
    }
}
