package io.backpoint.nbd;

/** One piece of a copy: read and write {@code length} bytes, or just zero them. */
record CopyTask(long offset, long length, boolean zero) {
    long end() {
        return offset + length;
    }
}
