package io.backpoint.nbd;

/** Names and flag bits of the metadata contexts a backup client reads. */
public final class MetaContext {
    private MetaContext() {
    }

    /** proto.md: allocation status of the export. */
    public static final String BASE_ALLOCATION = "base:allocation";
    /** base:allocation: the extent is not allocated. */
    public static final int STATE_HOLE = 1;
    /** base:allocation: the extent reads as zeroes. */
    public static final int STATE_ZERO = 1 << 1;
    /** qemu:dirty-bitmap:NAME (QEMU docs/interop/nbd): the extent is dirty. */
    public static final int STATE_DIRTY = 1;

    /** The context QEMU uses to export the dirty bitmap {@code bitmap}. */
    public static String dirtyBitmap(String bitmap) {
        if (bitmap == null || bitmap.isEmpty()) {
            throw new IllegalArgumentException("bitmap name is empty");
        }
        return "qemu:dirty-bitmap:" + bitmap;
    }
}
