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

    public boolean has(int flag) {
        return (flags & flag) == flag;
    }
}
