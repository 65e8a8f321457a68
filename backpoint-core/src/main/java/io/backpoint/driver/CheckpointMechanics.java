package io.backpoint.driver;

import io.backpoint.model.CheckpointDef;
import io.backpoint.vocab.CheckpointCreateFlag;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of checkpoint handling that touches the hypervisor. The core calls these with the
 * domain locked, after it has parsed, aligned and checked the definitions.
 */
public interface CheckpointMechanics {
    /** Create flags this driver accepts (others are refused as libvirt's virCheckFlags does). */
    Set<CheckpointCreateFlag> supportedCreateFlags();

    /** Refuses a create (or redefine) the driver cannot do in the domain's current state. */
    void checkCreate(DomainInfo dom, Set<CheckpointCreateFlag> flags);

    /** Driver checks on an aligned, new checkpoint: disk formats, bitmap names. */
    void prepare(DomainInfo dom, CheckpointDef aligned);

    /** Makes the checkpoint real (bitmaps); all disks or none. */
    void create(DomainInfo dom, CheckpointDef aligned);

    /**
     * As {@link #create(DomainInfo, CheckpointDef)}; with {@code quiesce} (QUIESCE, only when in
     * {@link #supportedCreateFlags()}) the guest's file systems are frozen around the instant.
     * Drivers that accept QUIESCE without a guest to freeze (the test driver) ignore it.
     */
    default void create(DomainInfo dom, CheckpointDef aligned, boolean quiesce) {
        create(dom, aligned);
    }

    /** For REDEFINE_VALIDATE: throws CHECKPOINT_INCONSISTENT unless every bitmap is usable. */
    void validate(DomainInfo dom, CheckpointDef def);

    /** Refuses a delete the driver cannot do in the domain's current state. */
    void checkDelete(DomainInfo dom, boolean metadataOnly);

    /** Removes the bitmaps of these checkpoints; all or none. */
    void delete(DomainInfo dom, List<CheckpointDef> defs);

    /**
     * Removes whatever bitmaps of these checkpoints exist; a missing one is not an error. For
     * settling a create or delete that was killed part-way (its intent says which).
     */
    default void discardBitmaps(DomainInfo dom, List<CheckpointDef> defs) {}

    /** Dirty bytes since the checkpoint, by disk target, for the disks whose size is known. */
    Map<String, Long> sizes(DomainInfo dom, CheckpointDef def);

    /**
     * The disks whose bitmaps are missing or unusable, by checkpoint name and then by disk target
     * in the checkpoint's order, each with a reason naming that disk's bitmap; a checkpoint with
     * none is left out. Per disk, because a backup can still be incremental from the checkpoint on
     * the disks whose bitmaps are good (as libvirt checks only the incremental disks' bitmaps).
     * Empty when the driver cannot tell (test driver).
     */
    default Map<String, Map<String, String>> brokenBitmaps(DomainInfo dom, List<CheckpointDef> defs) {
        return Map.of();
    }
}
