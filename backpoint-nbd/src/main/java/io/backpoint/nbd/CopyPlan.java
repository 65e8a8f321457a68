package io.backpoint.nbd;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns extent maps into the list of things to copy. Pure functions, so the decisions (what
 * is skipped, what is zeroed) are tested without any server.
 */
final class CopyPlan {
    private CopyPlan() {
    }

    /**
     * Full copy: data extents are copied; extents that read as zero are zeroed, or skipped
     * when the destination is known to read as zero already. A hole that is not also marked
     * zero has undefined contents, so it is copied like data.
     */
    static List<CopyTask> full(ExtentMap allocation, boolean destinationZero) {
        List<CopyTask> tasks = new ArrayList<>();
        for (Extent e : allocation.extents()) {
            boolean zero = e.has(MetaContext.STATE_ZERO);
            if (zero && destinationZero) {
                continue;
            }
            add(tasks, new CopyTask(e.offset(), e.length(), zero));
        }
        return tasks;
    }

    /**
     * Incremental copy: only dirty extents. Dirty extents that now read as zero are always
     * zeroed explicitly, because an increment is laid over older backups when restoring:
     * skipping them would let stale data show through.
     */
    static List<CopyTask> incremental(ExtentMap dirty, ExtentMap allocation) {
        List<CopyTask> tasks = new ArrayList<>();
        for (ExtentMap.Segment s : ExtentMap.overlay(dirty, allocation)) {
            if ((s.flagsA() & MetaContext.STATE_DIRTY) == 0) {
                continue;
            }
            add(tasks, new CopyTask(s.offset(), s.length(), (s.flagsB() & MetaContext.STATE_ZERO) != 0));
        }
        return tasks;
    }

    /**
     * Cuts tasks into requests: data at multiples of {@code dataChunk} (absolute, so requests
     * stay aligned), zeroes at multiples of {@code zeroChunk}.
     */
    static List<CopyTask> split(List<CopyTask> tasks, long dataChunk, long zeroChunk) {
        List<CopyTask> out = new ArrayList<>();
        for (CopyTask t : tasks) {
            long chunk = t.zero() ? zeroChunk : dataChunk;
            long at = t.offset();
            while (at < t.end()) {
                long next = Math.min(t.end(), (at / chunk + 1) * chunk);
                out.add(new CopyTask(at, next - at, t.zero()));
                at = next;
            }
        }
        return out;
    }

    static long bytes(List<CopyTask> tasks, boolean zero) {
        return tasks.stream().filter(t -> t.zero() == zero).mapToLong(CopyTask::length).sum();
    }

    /** Appends, merging with the previous task when they touch and are of the same kind. */
    private static void add(List<CopyTask> tasks, CopyTask t) {
        if (!tasks.isEmpty()) {
            CopyTask last = tasks.get(tasks.size() - 1);
            if (last.end() == t.offset() && last.zero() == t.zero()) {
                tasks.set(tasks.size() - 1, new CopyTask(last.offset(), last.length() + t.length(), t.zero()));
                return;
            }
        }
        tasks.add(t);
    }
}
