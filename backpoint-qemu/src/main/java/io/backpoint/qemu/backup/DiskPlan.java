package io.backpoint.qemu.backup;

import io.backpoint.model.StoreType;
import io.backpoint.qemu.qmp.QmpStep;
import java.util.List;

/**
 * The plan for one backed-up disk.
 *
 * @param disk the disk target
 * @param jobId the block job's id
 * @param storageNode the target/scratch protocol node
 * @param formatNode the target/scratch format node (the block job's target, the export's node)
 * @param path the target/scratch file or device
 * @param type file or block device
 * @param format the target/scratch image format
 * @param createFile whether Backpoint creates the (empty) file first, so it must not exist
 * @param prepare the commands that create and attach the image, in order
 * @param bitmapNode the node holding the temporary bitmap (push: the disk's top node; pull: the
 *     scratch node), or null for a full backup
 * @param bitmap the temporary bitmap's name, or null for a full backup
 * @param export the {@code block-export-add} step (pull), or null
 */
record DiskPlan(String disk, String jobId, String storageNode, String formatNode, String path, StoreType type,
        String format, boolean createFile, List<QmpStep> prepare, String bitmapNode, String bitmap,
        QmpStep export) {
    DiskPlan {
        prepare = List.copyOf(prepare);
    }

    boolean incremental() {
        return bitmap != null;
    }
}
