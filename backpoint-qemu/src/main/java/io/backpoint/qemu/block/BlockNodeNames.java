package io.backpoint.qemu.block;

import java.util.List;

/**
 * Backpoint's stable node names. libvirt numbers its nodes (libvirt-2-format) and the numbers
 * change from run to run; ours derive from the disk target, so a later process can find a disk's
 * nodes without asking QEMU which one is which.
 */
public final class BlockNodeNames {
    private BlockNodeNames() {}

    /**
     * The prefix of the temporary bitmaps backups create ({@code backup-<disk>}). Checkpoint
     * bitmaps carry the checkpoint's name, so a checkpoint may not be named with this prefix:
     * a backup's cleanup would take its bitmap for the temporary one.
     */
    public static final String TEMP_BITMAP_PREFIX = "backup-";

    /** The protocol node (file or host_device) of a disk's top image. */
    public static String storage(String target) {
        return "bp-" + target + "-storage";
    }

    /** The format node (qcow2 or raw) of a disk's top image: where checkpoint bitmaps live. */
    public static String format(String target) {
        return "bp-" + target + "-format";
    }

    /**
     * A disk's format nodes, top first: what every chain-aware planner takes. Backpoint opens
     * each disk as one image today, so the chain is its top node; when backing chains come, they
     * are discovered here and nothing else changes.
     */
    public static List<String> chain(String target) {
        return List.of(format(target));
    }
}
