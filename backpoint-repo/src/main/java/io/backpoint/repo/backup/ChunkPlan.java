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
 * <p>A chunk is read whole when any byte of it is dirty: its id is the hash of all of it, so the
 * clean bytes next to a dirty one must be read too. Only the parts that do not read as zero are
 * read; a hole that is not also marked zero has undefined contents, so it is read like data.
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
            List<ChunkWork.Range> ranges = new ArrayList<>();
            for (Extent e : data.overlapping(start, end)) {
                if (e.has(MetaContext.STATE_ZERO)) {
                    continue;
                }
                long from = Math.max(start, e.offset() / alignment * alignment);
                long to = Math.min(end, (e.end() + alignment - 1) / alignment * alignment);
                addMerged(ranges, from, to);
            }
            if (dirty == null && ranges.isEmpty()) {
                // A full backup records nothing for a zero chunk; an incremental must, or the
                // previous snapshot's chunk would show through.
                continue;
            }
            out.add(new ChunkWork(i, start, (int) (end - start), ranges));
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
