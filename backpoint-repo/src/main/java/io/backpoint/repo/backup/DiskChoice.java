package io.backpoint.repo.backup;

import io.backpoint.repo.DiskIndex;
import java.util.Optional;

/**
 * How one disk is backed up: incremental from {@code checkpoint} over {@code base} (the
 * previous snapshot's index of the disk), or full with the reason.
 */
record DiskChoice(String disk, String checkpoint, Optional<DiskIndex> base, String reason) {
    static DiskChoice full(String disk, String reason) {
        return new DiskChoice(disk, null, Optional.empty(), reason);
    }

    static DiskChoice incremental(String disk, String checkpoint, DiskIndex base) {
        return new DiskChoice(disk, checkpoint, Optional.of(base), null);
    }

    boolean incremental() {
        return checkpoint != null;
    }
}
