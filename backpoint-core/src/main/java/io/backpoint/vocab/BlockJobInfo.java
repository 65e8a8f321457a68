package io.backpoint.vocab;

import java.util.Objects;

/**
 * virDomainBlockJobInfo: a running block job's type, bandwidth limit (0 for none; MiB/s, or
 * bytes/s when asked with {@link BlockJobInfoFlag#BANDWIDTH_BYTES}) and progress ({@code cur}
 * of {@code end}, in units only meaningful relative to each other, as in libvirt).
 */
public record BlockJobInfo(BlockJobType type, long bandwidth, long cur, long end) {
    public BlockJobInfo {
        Objects.requireNonNull(type, "type");
    }
}
