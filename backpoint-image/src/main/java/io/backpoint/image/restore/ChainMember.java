package io.backpoint.image.restore;

import io.backpoint.image.img.ImageInfo;
import java.nio.file.Path;

/**
 * One checked backup of a restore chain.
 *
 * @param path the backup target, absolute
 * @param format its format as qemu-img read it
 * @param blockDevice whether it is a block device (qemu's host_device driver) rather than a file
 * @param info what qemu-img info said
 * @param record its backup record, or null when it has none
 */
record ChainMember(Path path, ImageFormat format, boolean blockDevice, ImageInfo info, BackupRecord record) {}
