package io.backpoint.repo.backup;

import java.util.List;

/**
 * One chunk a backup must (re)write: its index, where it lies on the disk, the parts of it read
 * from the VM ({@code data}), the parts taken from the previous snapshot's chunk at the same index
 * ({@code base}), all absolute offsets, sorted, disjoint, inside the chunk. Every other byte of the
 * chunk is zero and is never read; a chunk with neither is an all-zero chunk.
 *
 * <p>{@code whole} is what reading the chunk from the VM alone takes (every part that does not
 * read as zero): what a backup falls back to when the base chunk cannot be used.
 */
record ChunkWork(long index, long offset, int length, List<Range> data, List<Range> base, List<Range> whole) {
    /** A byte range [offset, offset + length) of the disk. */
    record Range(long offset, long length) {
        long end() {
            return offset + length;
        }
    }

    ChunkWork {
        data = List.copyOf(data);
        base = List.copyOf(base);
        whole = List.copyOf(whole);
    }

    /** A chunk read from the VM alone. */
    ChunkWork(long index, long offset, int length, List<Range> data) {
        this(index, offset, length, data, List.of(), data);
    }

    boolean zero() {
        return data.isEmpty() && base.isEmpty();
    }

    boolean fromBase() {
        return !base.isEmpty();
    }

    /** The same chunk read from the VM alone. */
    ChunkWork withoutBase() {
        return new ChunkWork(index, offset, length, whole);
    }

    /** Bytes read from the VM. */
    long dataBytes() {
        return data.stream().mapToLong(Range::length).sum();
    }

    /** The parts that are neither read nor taken from the base: zero. */
    List<Range> zeroes() {
        return ChunkPlan.complement(ChunkPlan.union(data, base), offset, offset + length);
    }
}
