package io.backpoint.nbd;

import java.time.Duration;

/**
 * What a copy did: {@code total} bytes were to be transferred, of which {@code dataBytes} were
 * read and written and {@code zeroBytes} zeroed; {@code skippedBytes} read as zero on the
 * source and were left alone because the destination already reads as zero there.
 */
public record CopyResult(CopyMode mode, long total, long dataBytes, long zeroBytes, long skippedBytes,
        Duration elapsed) {

    /** Data throughput in MiB/s (zeroing excluded). */
    public double dataMibPerSecond() {
        double seconds = Math.max(elapsed.toNanos(), 1) / 1e9;
        return dataBytes / (1024.0 * 1024.0) / seconds;
    }
}
