package io.backpoint.model;

/**
 * The parts of a domain {@code <disk>} that checkpoints and backups depend on.
 *
 * @param type storage type: file, block, dir, network, volume, ...
 * @param device disk, cdrom, floppy or lun
 * @param driverType image format from {@code <driver type=>}; null if not given
 * @param source the path: {@code source/@file}, {@code @dev} or {@code @dir} for local storage,
 *     {@code @name} for network storage; null when there is none (an empty drive)
 * @param targetDev target device name: vda, sda, hdc, ...
 * @param targetBus target bus: virtio, sata, ide, scsi, ...; null if not given
 * @param readonly whether {@code <readonly/>} is present
 * @param shareable whether {@code <shareable/>} is present
 */
public record DomainDiskDef(
        String type,
        String device,
        DiskFormat driverType,
        String source,
        String targetDev,
        String targetBus,
        boolean readonly,
        boolean shareable) {

    /**
     * True when no media is present (an empty CD-ROM drive, say). As in libvirt, only local
     * storage (file, block, dir) can be empty; network and volume disks have media by definition.
     */
    public boolean empty() {
        boolean local = type == null || type.equals("file") || type.equals("block") || type.equals("dir");
        return local && (source == null || source.isEmpty());
    }
}
