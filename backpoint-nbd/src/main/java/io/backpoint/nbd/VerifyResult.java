package io.backpoint.nbd;

import java.util.OptionalLong;

/** The outcome of comparing source and destination: bytes compared and the first difference. */
public record VerifyResult(long bytesCompared, OptionalLong firstDifference) {
    public boolean matches() {
        return firstDifference.isEmpty();
    }
}
