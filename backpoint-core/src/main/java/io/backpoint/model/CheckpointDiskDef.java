package io.backpoint.model;

import java.util.Objects;

/**
 * One {@code <disk>} of a checkpoint.
 *
 * @param name the disk's target (vda) or, before alignment, possibly its source path
 * @param type whether the disk gets a bitmap
 * @param bitmap the bitmap name, or null until alignment fills in the default
 * @param size dirty bytes since the checkpoint, or null when not known (formatted only with SIZE)
 */
public record CheckpointDiskDef(String name, CheckpointType type, String bitmap, Long size) {
    public CheckpointDiskDef {
        Objects.requireNonNull(type, "type");
    }

    public CheckpointDiskDef withBitmap(String newBitmap) {
        return new CheckpointDiskDef(name, type, newBitmap, size);
    }

    public CheckpointDiskDef withSize(Long newSize) {
        return new CheckpointDiskDef(name, type, bitmap, newSize);
    }

    public CheckpointDiskDef withName(String newName) {
        return new CheckpointDiskDef(name == null ? null : newName, type, bitmap, size);
    }
}
