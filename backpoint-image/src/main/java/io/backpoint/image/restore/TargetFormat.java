package io.backpoint.image.restore;

import io.backpoint.model.DiskFormat;

/**
 * The one bridge from a backup document's format (any {@code <driver type=>}) to the formats a
 * backup record and restore know. Both spell a format as QEMU does, so the spelling is the map.
 */
public final class TargetFormat {
    private TargetFormat() {}

    /** The record's format for a push target's format; INVALID_ARG for one restore cannot read. */
    public static ImageFormat of(DiskFormat format) {
        return ImageFormat.fromSpelling(format.xml());
    }
}
