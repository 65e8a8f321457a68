package io.backpoint.nbd;

/** A run of bytes of an export with the flags one metadata context reports for it. */
public record Extent(long offset, long length, int flags) {
    public Extent {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("bad extent offset " + offset + " length " + length);
        }
    }

    public long end() {
        return offset + length;
    }

    /**
     * Appends {@code [offset, offset + length)} with {@code flags} to {@code extents}, which it
     * must follow directly, merging it into the last extent when the flags are the same.
     */
    public static void append(java.util.List<Extent> extents, long offset, long length, int flags) {
        if (!extents.isEmpty()) {
            Extent last = extents.get(extents.size() - 1);
            if (last.end() != offset) {
                throw new IllegalArgumentException("extent at " + offset + " does not follow " + last);
            }
            if (last.flags() == flags) {
                extents.set(extents.size() - 1, new Extent(last.offset(), last.length() + length, flags));
                return;
            }
        }
        extents.add(new Extent(offset, length, flags));
    }

    public boolean has(int flag) {
        return (flags & flag) == flag;
    }
}
