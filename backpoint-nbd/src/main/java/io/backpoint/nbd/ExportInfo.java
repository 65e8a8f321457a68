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

    /** Payload of one request of a bulk copy, see {@link #bulkRequest()}. */
    public static final int BULK_REQUEST = 256 << 10;

    /**
     * The size of each READ when copying much data: 256 KiB (what nbdcopy sends), never more than
     * the server takes. QEMU's NBD server gives every request a buffer of its length, freed after
     * the reply; buffers of megabytes come from fresh memory mappings, faulted in page by page and
     * unmapped again. Reading 2 GiB from a running QEMU in 4 MiB requests cost QEMU 8.2-8.9 s of CPU
     * (most of it page faults under its pread), in 256 KiB requests 1.9-2.1 s, 1 MiB 3.4-3.8 s, with
     * the reader's CPU unchanged.
     */
    public int bulkRequest() {
        return Math.max(minimumBlockSize, Math.min(maximumRequest(), BULK_REQUEST));
    }

    private boolean has(int flag) {
        return (transmissionFlags & flag) != 0;
    }
}
