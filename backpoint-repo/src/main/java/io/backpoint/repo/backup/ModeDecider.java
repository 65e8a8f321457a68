package io.backpoint.repo.backup;

import io.backpoint.api.Checkpoint;
import io.backpoint.vocab.CheckpointCreateFlag;
import io.backpoint.api.Domain;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.CheckpointDef;
import io.backpoint.model.CheckpointDiskDef;
import io.backpoint.model.CheckpointType;
import io.backpoint.repo.DiskIndex;
import io.backpoint.repo.Snapshot;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Decides, per disk, incremental or full (with the reason). Incremental only from the checkpoint
 * the repository's last committed snapshot of the domain recorded, so a checkpoint whose snapshot
 * never committed is never a base. A checkpoint whose metadata is gone (a recreated domain
 * definition) is redefined from the copy in that snapshot and validated against the bitmaps
 * before it is trusted. A disk whose bitmap of that checkpoint is missing or inconsistent (QEMU was
 * killed, the bitmap removed) is full with that bitmap named; the other disks stay incremental.
 */
final class ModeDecider {
    private final Domain domain;
    private final Consumer<String> notes;

    ModeDecider(Domain domain, Consumer<String> notes) {
        this.domain = domain;
        this.notes = notes;
    }

    List<DiskChoice> decide(List<String> disks, Optional<Snapshot> last, boolean forceFull) {
        String common = null;
        CheckpointDef checkpoint = null;
        Map<String, String> broken = Map.of();
        if (forceFull) {
            common = "--full was given";
        } else if (last.isEmpty()) {
            common = "no previous snapshot of this domain in the repository";
        } else if (last.get().checkpointName() == null) {
            common = "the previous snapshot " + last.get().id() + " has no checkpoint";
        } else {
            String name = last.get().checkpointName();
            Optional<String> unusable = present(name, last.get().checkpointXml());
            if (unusable.isPresent()) {
                common = unusable.get();
            } else {
                Checkpoint cp = domain.checkpoint(name);
                broken = cp.problems();
                checkpoint = cp.definition();
            }
        }
        List<DiskChoice> out = new ArrayList<>();
        for (String disk : disks) {
            if (common != null) {
                out.add(DiskChoice.full(disk, common));
                continue;
            }
            Optional<DiskIndex> base = last.get().disk(disk);
            CheckpointDiskDef bitmap = checkpoint.disk(disk);
            if (base.isEmpty()) {
                out.add(DiskChoice.full(disk, "disk added since the previous snapshot " + last.get().id()));
            } else if (bitmap == null || bitmap.type() != CheckpointType.BITMAP) {
                out.add(DiskChoice.full(disk, "checkpoint '" + checkpoint.name() + "' has no bitmap for it"));
            } else if (broken.containsKey(disk)) {
                out.add(DiskChoice.full(disk, "checkpoint '" + checkpoint.name() + "' is unusable for this disk (bitmap "
                        + "missing or inconsistent, e.g. after QEMU was killed): " + broken.get(disk)));
            } else {
                out.add(DiskChoice.incremental(disk, checkpoint.name(), base.get()));
            }
        }
        return out;
    }

    /**
     * Why the checkpoint cannot be the base of an incremental of any disk (its metadata is gone
     * and cannot be redefined); empty when it exists. Its bitmaps are judged disk by disk after.
     */
    private Optional<String> present(String name, String savedXml) {
        try {
            domain.checkpoint(name);
            return Optional.empty();
        } catch (BackpointException e) {
            if (e.code() != ErrorCode.NO_DOMAIN_CHECKPOINT) {
                throw e;
            }
            return redefine(name, savedXml);
        }
    }

    /**
     * The domain lost the checkpoint's metadata (its definition was recreated, say) but the bitmaps
     * may still be in the images: redefine it from the copy saved in the snapshot, validated, so an
     * incremental can continue. Its parent may be gone too; it is then redefined as a root, which
     * changes nothing about its bitmaps.
     */
    private Optional<String> redefine(String name, String savedXml) {
        if (savedXml == null || savedXml.isBlank()) {
            return Optional.of("checkpoint '" + name + "' is missing and the snapshot holds no copy of it");
        }
        String xml = savedXml;
        String parent = parentOf(xml);
        if (parent != null && !exists(parent)) {
            xml = xml.replaceFirst("(?s)\\s*<parent>\\s*<name>[^<]*</name>\\s*</parent>", "");
        }
        if (!xml.contains("<uuid>" + domain.uuid() + "</uuid>")) {
            // A definition recreated under a new uuid: the checkpoint belongs to this domain now
            // (its bitmaps are in these images, which validation checks), so it carries this
            // domain's definition, as libvirt requires of a redefined checkpoint.
            String current = domain.xmlDesc(false, true);
            xml = xml.replaceFirst("(?s)<domain[ >].*</domain>", java.util.regex.Matcher.quoteReplacement(current.strip()));
        }
        try {
            domain.createCheckpoint(xml, EnumSet.of(CheckpointCreateFlag.REDEFINE, CheckpointCreateFlag.REDEFINE_VALIDATE));
            notes.accept("checkpoint '" + name + "' was missing: redefined from the repository and validated");
            return Optional.empty();
        } catch (BackpointException e) {
            return Optional.of("checkpoint '" + name + "' is missing and could not be redefined from the repository: "
                    + e.getMessage());
        }
    }

    private boolean exists(String checkpoint) {
        try {
            domain.checkpoint(checkpoint);
            return true;
        } catch (BackpointException e) {
            return false;
        }
    }

    private static String parentOf(String xml) {
        var m = java.util.regex.Pattern.compile("(?s)<parent>\\s*<name>([^<]*)</name>").matcher(xml);
        return m.find() ? m.group(1) : null;
    }
}
