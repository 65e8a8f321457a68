package io.backpoint.nbd;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What to ask for when connecting: the export name, the metadata contexts to select (for
 * example {@code base:allocation} and {@code qemu:dirty-bitmap:backup-vda}) and how long the
 * server may stay silent while we wait for it before the connection is dropped.
 */
public record NbdConnectOptions(String exportName, List<String> metaContexts, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    public NbdConnectOptions {
        Objects.requireNonNull(exportName, "exportName");
        metaContexts = List.copyOf(metaContexts);
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (exportName.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > NbdProtocol.MAX_STRING) {
            throw new IllegalArgumentException("export name longer than 4096 bytes");
        }
        for (String c : metaContexts) {
            int colon = c.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("metadata context '" + c + "' has no namespace");
            }
            if (c.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > NbdProtocol.MAX_STRING) {
                throw new IllegalArgumentException("metadata context name longer than 4096 bytes");
            }
        }
    }

    /** The default export ("") with no metadata contexts. */
    public static NbdConnectOptions defaults() {
        return new NbdConnectOptions("", List.of(), DEFAULT_TIMEOUT);
    }

    public static NbdConnectOptions export(String name) {
        return new NbdConnectOptions(name, List.of(), DEFAULT_TIMEOUT);
    }

    public NbdConnectOptions withMetaContexts(String... contexts) {
        return new NbdConnectOptions(exportName, List.of(contexts), timeout);
    }

    public NbdConnectOptions withTimeout(Duration value) {
        return new NbdConnectOptions(exportName, metaContexts, value);
    }
}
