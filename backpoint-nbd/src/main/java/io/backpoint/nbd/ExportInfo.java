package io.backpoint.nbd;

/**
 * What the server told us about the export in NBD_OPT_GO: its size, transmission flags and
 * size constraints (the protocol defaults when the server sent none).
 */
public record ExportInfo(String name, long size, int transmissionFlags, int minimumBlockSize,
        int preferredBlockSize, int maximumPayload) {

    public boolean readOnly() {
        return has(NbdProtocol.TFLAG_READ_ONLY);
    }

    public boolean canFlush() {
        return has(NbdProtocol.TFLAG_SEND_FLUSH);
    }

    public boolean canFua() {
        return has(NbdProtocol.TFLAG_SEND_FUA);
    }

    public boolean canTrim() {
        return has(NbdProtocol.TFLAG_SEND_TRIM);
    }

    public boolean canWriteZeroes() {
        return has(NbdProtocol.TFLAG_SEND_WRITE_ZEROES);
    }

    public boolean canFastZero() {
        return has(NbdProtocol.TFLAG_SEND_FAST_ZERO);
    }

    public boolean canMultiConn() {
        return has(NbdProtocol.TFLAG_CAN_MULTI_CONN);
    }

    /**
     * Largest READ or WRITE we send: the server's maximum payload, but never more than 32 MiB,
     * so one request never needs a bigger buffer than that.
     */
    public int maximumRequest() {
        int max = Math.min(maximumPayload, NbdProtocol.MAX_PAYLOAD);
        return max - max % minimumBlockSize;
    }

    private boolean has(int flag) {
        return (transmissionFlags & flag) != 0;
    }
}
