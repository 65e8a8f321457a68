package io.backpoint.repo.backup;

import io.backpoint.nbd.Extent;
import io.backpoint.nbd.ExtentMap;
import io.backpoint.nbd.MetaContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps what the NBD server says about a disk onto fixed-size chunks. Pure, so the decisions
 * (what is read, what is known to be zero, what is taken from the previous snapshot) are tested
 * without a server.
 *
 * <p>A chunk is rewritten whole when any byte of it is dirty: its id is the hash of all of it. The
 * clean bytes next to a dirty one are the previous snapshot's: with {@link BaseChunks} they are
 * taken from its chunk at the same index (zero when that chunk is zero), and only the dirty bytes
 * are read from the VM; without, the whole chunk is read from the VM. Only the parts that do not
 * read as zero are read; a hole that is not also marked zero has undefined contents, so it is read
 * like data.
 */
final class ChunkPlan {
    private ChunkPlan() {
    }

    /**
     * The chunks to write.
     *
     * @param allocation {@code base:allocation} over the whole disk
     * @param dirty the dirty bitmap over the whole disk, or null for a full backup (every chunk)
     * @param chunkSize bytes per chunk
     * @param alignment the server's minimum block size: data ranges are widened to it
     */
    static List<ChunkWork> plan(ExtentMap allocation, ExtentMap dirty, int chunkSize, int alignment) {
        return plan(allocation, dirty, chunkSize, alignment, null);
    }

    /** What the previous snapshot holds at a chunk index, for an incremental that fills clean bytes from it. */
    interface BaseChunks {
        /** Whether the base chunk at {@code index} is stored (true) or all zero (false). */
        boolean stored(long index);
    }

    /**
     * The chunks to write, the clean bytes of a dirty chunk taken from {@code base} (null: read
     * from the VM); {@code base} is used only for an incremental ({@code dirty} not null).
     */
    static List<ChunkWork> plan(ExtentMap allocation, ExtentMap dirty, int chunkSize, int alignment,
            BaseChunks base) {
        long size = allocation.end();
        if (allocation.start() != 0 || (dirty != null && (dirty.start() != 0 || dirty.end() != size))) {
            throw new IllegalArgumentException("extent maps must cover the whole disk");
        }
        List<ChunkWork> out = new ArrayList<>();
        Cursor data = new Cursor(allocation.extents());
        Cursor changed = dirty == null ? null : new Cursor(dirty.extents());
        long chunks = (size + chunkSize - 1) / chunkSize;
        for (long i = 0; i < chunks; i++) {
            long start = i * chunkSize;
            long end = Math.min(size, start + chunkSize);
            if (changed != null && !changed.any(start, end, e -> e.has(MetaContext.STATE_DIRTY))) {
                continue;
            }
            List<Extent> allocated = data.overlapping(start, end);
            List<ChunkWork.Range> whole = readable(allocated, start, end, alignment, start, end);
            if (dirty == null && whole.isEmpty()) {
                // A full backup records nothing for a zero chunk; an incremental must, or the
                // previous snapshot's chunk would show through.
                continue;
            }
            if (changed == null || base == null) {
                out.add(new ChunkWork(i, start, (int) (end - start), whole));
                continue;
            }
            List<ChunkWork.Range> dirtyRanges = new ArrayList<>();
            for (Extent e : changed.overlapping(start, end)) {
                if (e.has(MetaContext.STATE_DIRTY)) {
                    addMerged(dirtyRanges, Math.max(start, e.offset()), Math.min(end, e.end()));
                }
            }
            List<ChunkWork.Range> read = new ArrayList<>();
            for (ChunkWork.Range d : dirtyRanges) {
                for (ChunkWork.Range r : readable(allocated, d.offset(), d.end(), alignment, start, end)) {
                    addMerged(read, r.offset(), r.end());
                }
            }
            // Everything neither dirty nor read is unchanged since the base snapshot: its bytes.
            List<ChunkWork.Range> fromBase = base.stored(i)
                    ? complement(union(dirtyRanges, read), start, end) : List.of();
            out.add(new ChunkWork(i, start, (int) (end - start), read, fromBase, whole));
        }
        return out;
    }

    /**
     * The parts of [start, end) that do not read as zero, widened to the server's block size
     * (never beyond the chunk [chunkStart, chunkEnd)).
     */
    private static List<ChunkWork.Range> readable(List<Extent> allocated, long start, long end, int alignment,
            long chunkStart, long chunkEnd) {
        long lo = Math.max(chunkStart, start / alignment * alignment);
        long hi = Math.min(chunkEnd, (end + alignment - 1) / alignment * alignment);
        List<ChunkWork.Range> ranges = new ArrayList<>();
        for (Extent e : allocated) {
            if (e.has(MetaContext.STATE_ZERO) || e.end() <= start || e.offset() >= end) {
                continue;
            }
            long from = Math.max(lo, Math.max(start, e.offset()) / alignment * alignment);
            long to = Math.min(hi, (Math.min(end, e.end()) + alignment - 1) / alignment * alignment);
            addMerged(ranges, from, to);
        }
        return ranges;
    }

    static List<ChunkWork.Range> union(List<ChunkWork.Range> a, List<ChunkWork.Range> b) {
        List<ChunkWork.Range> all = new ArrayList<>(a);
        all.addAll(b);
        all.sort(java.util.Comparator.comparingLong(ChunkWork.Range::offset));
        List<ChunkWork.Range> out = new ArrayList<>();
        for (ChunkWork.Range r : all) {
            addMerged(out, r.offset(), r.end());
        }
        return out;
    }

    /** The parts of [start, end) outside {@code taken} (sorted, disjoint). */
    static List<ChunkWork.Range> complement(List<ChunkWork.Range> taken, long start, long end) {
        List<ChunkWork.Range> out = new ArrayList<>();
        long at = start;
        for (ChunkWork.Range r : taken) {
            if (r.offset() > at) {
                out.add(new ChunkWork.Range(at, r.offset() - at));
            }
            at = Math.max(at, r.end());
        }
        if (at < end) {
            out.add(new ChunkWork.Range(at, end - at));
        }
        return out;
    }

    private static void addMerged(List<ChunkWork.Range> ranges, long from, long to) {
        if (!ranges.isEmpty()) {
            ChunkWork.Range last = ranges.get(ranges.size() - 1);
            if (last.end() >= from) {
                ranges.set(ranges.size() - 1, new ChunkWork.Range(last.offset(), Math.max(last.end(), to) - last.offset()));
                return;
            }
        }
        ranges.add(new ChunkWork.Range(from, to - from));
    }

    /** Walks sorted, contiguous extents forward as the chunks advance. */
    private static final class Cursor {
        private final List<Extent> extents;
        private int at;

        Cursor(List<Extent> extents) {
            this.extents = extents;
        }

        List<Extent> overlapping(long start, long end) {
            while (at < extents.size() && extents.get(at).end() <= start) {
                at++;
            }
            List<Extent> out = new ArrayList<>(2);
            for (int i = at; i < extents.size() && extents.get(i).offset() < end; i++) {
                out.add(extents.get(i));
            }
            return out;
        }

        boolean any(long start, long end, java.util.function.Predicate<Extent> test) {
            for (Extent e : overlapping(start, end)) {
                if (test.test(e)) {
                    return true;
                }
            }
            return false;
        }
    }
}
