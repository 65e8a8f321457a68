package io.backpoint.repo.backup;

import java.util.List;

/**
 * One chunk a backup must (re)write: its index, where it lies on the disk, and the parts of it
 * that hold data (absolute offsets, sorted, inside the chunk). Every other byte of the chunk
 * reads as zero, so it is never read; a chunk with no data part is an all-zero chunk.
 */
record ChunkWork(long index, long offset, int length, List<Range> data) {
    /** A byte range [offset, offset + length) of the disk. */
    record Range(long offset, long length) {
        long end() {
            return offset + length;
        }
    }

    ChunkWork {
        data = List.copyOf(data);
    }

    boolean zero() {
        return data.isEmpty();
    }

    long dataBytes() {
        return data.stream().mapToLong(Range::length).sum();
    }
}
