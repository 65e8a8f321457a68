package io.backpoint.model;

/**
 * The parts of a domain {@code <disk>} that checkpoints and backups depend on.
 *
 * @param type storage type: file, block, network, volume, ...
 * @param device disk, cdrom, floppy or lun
 * @param driverType image format from {@code <driver type=>}: qcow2, raw, ...; null if not given
 * @param source the file or device path, or null for an empty drive
 * @param targetDev target device name: vda, sda, hdc, ...
 * @param targetBus target bus: virtio, sata, ide, scsi, ...; null if not given
 * @param readonly whether {@code <readonly/>} is present
 * @param shareable whether {@code <shareable/>} is present
 */
public record DomainDiskDef(
        String type,
        String device,
        String driverType,
        String source,
        String targetDev,
        String targetBus,
        boolean readonly,
        boolean shareable) {

    /** True when no media is present (an empty CD-ROM drive, say). */
    public boolean empty() {
        return source == null || source.isEmpty();
    }
}
