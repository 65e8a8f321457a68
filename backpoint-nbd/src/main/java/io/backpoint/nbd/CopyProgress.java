package io.backpoint.nbd;

/**
 * Told how far a copy or verification has got. Calls are serialized and {@code done} never
 * decreases; the last call of a successful run has {@code done == total}. Called from the
 * connections' threads, so it must return quickly.
 */
@FunctionalInterface
public interface CopyProgress {
    CopyProgress NONE = (done, total) -> { };

    void update(long done, long total);
}
