package io.backpoint.repo.backup;

import io.backpoint.api.Checkpoint;
import io.backpoint.vocab.CheckpointDeleteFlag;
import io.backpoint.vocab.CheckpointListFlag;
import io.backpoint.api.Domain;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.CheckpointDef;
import io.backpoint.model.CheckpointDiskDef;
import io.backpoint.model.CheckpointType;
import io.backpoint.vocab.CheckpointCreateFlag;
import io.backpoint.xml.CheckpointFormatFlag;
import io.backpoint.xml.CheckpointXml;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
                deleteWithBitmaps(dom, cp);
            } catch (BackpointException e) {
                try {
                    // Its bitmaps are gone or cannot be removed (QEMU was killed, the image
                    // replaced): the metadata alone can still go.
                    cp.delete(EnumSet.of(CheckpointDeleteFlag.METADATA_ONLY));
                    notes.accept("warning: old checkpoint '" + cp.name() + "' could not be deleted with its bitmaps ("
                            + e.getMessage() + "); only its metadata was deleted, so bitmaps of it may remain in the images");
                } catch (BackpointException again) {
                    notes.accept("warning: could not delete old checkpoint '" + cp.name() + "': " + e.getMessage());
                }
            }
            Steps.reach(Steps.CHECKPOINT_DELETED);
        }
    }

    /**
     * Deletes a checkpoint and its bitmaps when some disk's bitmap is gone. libvirt's delete then
     * fails before it removes anything ("bitmap 'B' not found in backing chain of 'vdb'",
     * qemu_checkpoint.c; the daemonless driver does the same), and deleting the metadata alone
     * would leave the other disks' bitmaps in their images for ever. So each disk named so is
     * dropped from the checkpoint (redefined with checkpoint='no' for it, which touches no
     * bitmap) and the delete is tried again. An inconsistent bitmap is still there and is removed
     * by the delete itself.
     */
    static void deleteWithBitmaps(Domain dom, Checkpoint cp) {
        for (int attempt = 0; ; attempt++) {
            try {
                cp.delete(EnumSet.noneOf(CheckpointDeleteFlag.class));
                return;
            } catch (BackpointException e) {
                CheckpointDef def = cp.definition();
                if (e.code() != ErrorCode.INTERNAL_ERROR || attempt >= def.disks().size()) {
                    throw e;
                }
                Matcher m = MISSING_BITMAP.matcher(String.valueOf(e.getMessage()));
                // libvirtd translates its messages: in another language the disk cannot be read
                // from it, and every disk whose bitmap is broken (missing or inconsistent) is
                // dropped at once. An inconsistent bitmap so dropped stays in its image, but the
                // other disks' bitmaps are deleted instead of all of them staying.
                Set<String> broken = m.find() ? Set.of(m.group(1)) : cp.problems().keySet();
                List<CheckpointDiskDef> disks = new ArrayList<>();
                boolean dropped = false;
                for (CheckpointDiskDef d : def.disks()) {
                    boolean drop = broken.contains(d.name()) && d.type() == CheckpointType.BITMAP;
                    disks.add(drop ? new CheckpointDiskDef(d.name(), CheckpointType.NO, null, null) : d);
                    dropped |= drop;
                }
                if (!dropped) {
                    throw e;
                }
                dom.createCheckpoint(CheckpointXml.format(def.withDisks(disks), EnumSet.noneOf(CheckpointFormatFlag.class)),
                        EnumSet.of(CheckpointCreateFlag.REDEFINE));
            }
        }
    }

    private static final Pattern MISSING_BITMAP = Pattern.compile("not found in backing chain of '([^']+)'");

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
