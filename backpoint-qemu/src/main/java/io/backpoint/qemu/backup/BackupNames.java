package io.backpoint.qemu.backup;

import io.backpoint.qemu.block.BlockNodeNames;

/**
 * The names a backup job gives things in QEMU. They derive from the disk target alone (libvirt
 * numbers its nodes instead), so a later process finds every node, job, bitmap and export of a
 * job from its record without asking QEMU which is which.
 */
final class BackupNames {
    private BackupNames() {}

    /** The protocol node of a disk's target (push) or scratch (pull) image. */
    static String storage(String disk) {
        return "bp-" + disk + "-backup-storage";
    }

    /** The format node of a disk's target or scratch image. */
    static String format(String disk) {
        return "bp-" + disk + "-backup-format";
    }

    /** The disk's top format node, which the block job reads from. */
    static String top(String disk) {
        return BlockNodeNames.format(disk);
    }

    /** The block job: {@code backup-<disk>-<top node>}, libvirt's rule. */
    static String job(String disk) {
        return "backup-" + disk + "-" + top(disk);
    }

    /** The {@code blockdev-create} job that formats a node: {@code create-<node>}, libvirt's rule. */
    static String createJob(String node) {
        return "create-" + node;
    }

    /** The temporary bitmap an incremental backup of the disk reads: {@code backup-<disk>} unless the XML names one. */
    static String tempBitmap(String disk, String exportBitmap) {
        return exportBitmap != null ? exportBitmap : BlockNodeNames.TEMP_BITMAP_PREFIX + disk;
    }

    /** The NBD export's id (not its name): libvirt's {@code libvirt-nbd-<node>} rule with our prefix. */
    static String export(String disk) {
        return "bp-nbd-" + format(disk);
    }
}
