package io.backpoint.qemu.img;

import java.util.List;

/**
 * What {@code qemu-img info --output=json} says about one image.
 *
 * @param format qcow2, raw, ...
 * @param virtualSize guest-visible size in bytes
 * @param actualSize bytes allocated on the host, or -1 if not reported
 * @param backingFilename the backing file as recorded in the image, or null
 * @param backingFormat the recorded backing format, or null
 * @param bitmaps persistent bitmaps stored in a qcow2 (empty for other formats)
 */
public record ImageInfo(String format, long virtualSize, long actualSize, String backingFilename,
        String backingFormat, List<Bitmap> bitmaps) {
    public ImageInfo {
        bitmaps = List.copyOf(bitmaps);
    }

    /**
     * A bitmap in the qcow2 bitmap directory.
     *
     * @param inUse the in-use flag: the image is open by a writer now, or was not closed cleanly
     * @param auto the auto flag: the bitmap is enabled (records writes)
     */
    public record Bitmap(String name, long granularity, boolean inUse, boolean auto) {}

    /** The bitmap with this name, or null. */
    public Bitmap bitmap(String name) {
        for (Bitmap b : bitmaps) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        return null;
    }
}
