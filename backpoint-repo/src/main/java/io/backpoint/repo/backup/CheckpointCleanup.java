package io.backpoint.repo.backup;

import io.backpoint.api.Checkpoint;
import io.backpoint.vocab.CheckpointDeleteFlag;
import io.backpoint.vocab.CheckpointListFlag;
import io.backpoint.api.Domain;
import io.backpoint.error.BackpointException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * After a snapshot has committed: deletes this repository's checkpoints older than the one it
 * recorded (those of older snapshots, and those of backups that never committed). Only names with
 * this repository's prefix and an earlier time are touched, so another repository's, the user's,
 * and a newer one of ours are kept. Done while the backup job still holds the domain, so no other
 * backup can be creating one meanwhile. A checkpoint that cannot be deleted is reported and left:
 * the snapshot is committed, and the next backup tries again.
 */
final class CheckpointCleanup {
    private CheckpointCleanup() {
    }

    static void deleteOlder(Domain dom, CheckpointNaming naming, String current, Consumer<String> notes) {
        Instant limit = naming.time(current).orElseThrow();
        for (Checkpoint cp : dom.listCheckpoints(EnumSet.noneOf(CheckpointListFlag.class))) {
            Optional<Instant> t = naming.time(cp.name());
            if (t.isEmpty() || !t.get().isBefore(limit)) {
                continue;
            }
            try {
                cp.delete(EnumSet.noneOf(CheckpointDeleteFlag.class));
            } catch (BackpointException e) {
                try {
                    // Its bitmap is gone or broken (QEMU was killed, the image replaced): the
                    // metadata alone can still go.
                    cp.delete(EnumSet.of(CheckpointDeleteFlag.METADATA_ONLY));
                } catch (BackpointException again) {
                    notes.accept("warning: could not delete old checkpoint '" + cp.name() + "': " + e.getMessage());
                }
            }
            Steps.reach(Steps.CHECKPOINT_DELETED);
        }
    }

    /**
     * Deletes the checkpoint of a backup that failed before its snapshot committed; if this fails
     * too, the next backup deletes it (it has our prefix and no committed snapshot refers to it).
     */
    static void discard(Domain dom, String name) {
        try {
            dom.checkpoint(name).delete(EnumSet.noneOf(CheckpointDeleteFlag.class));
        } catch (BackpointException e) {
            // left for the next backup
        }
    }
}
