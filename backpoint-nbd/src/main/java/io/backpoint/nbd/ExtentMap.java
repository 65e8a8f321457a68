package io.backpoint.nbd;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * What one metadata context says about a whole range of an export: contiguous extents from
 * {@link #start()} to {@link #end()}, neighbours with equal flags merged. Built by asking the
 * server repeatedly, because a server may describe less than it was asked about.
 */
public final class ExtentMap {
    /** One BLOCK_STATUS request covers at most this much; a power of two, so always aligned. */
    static final long QUERY_LENGTH = 1L << 31;

    /** A piece of the range with the flags of two maps laid over each other. */
    public record Segment(long offset, long length, int flagsA, int flagsB) {
        public long end() {
            return offset + length;
        }
    }

    private final long start;
    private final long end;
    private final List<Extent> extents;

    private ExtentMap(long start, long end, List<Extent> extents) {
        this.start = start;
        this.end = end;
        this.extents = extents;
    }

    /** The whole export as {@code context} describes it. */
    public static ExtentMap query(NbdClient client, String context) throws IOException {
        return query(client, context, 0, client.size());
    }

    public static ExtentMap query(NbdClient client, String context, long offset, long length) throws IOException {
        client.requireContext(context);
        long end = offset + length;
        List<Extent> out = new ArrayList<>();
        long at = offset;
        while (at < end) {
            long ask = Math.min(end - at, QUERY_LENGTH);
            List<Extent> reply = client.blockStatus(context, at, ask);
            for (Extent e : reply) {
                if (e.offset() >= end) {
                    break;
                }
                out.add(new Extent(e.offset(), Math.min(e.end(), end) - e.offset(), e.flags()));
            }
            // The reply starts at `at` and is contiguous (checked by the connection), and
            // holds at least one extent of nonzero length, so this always advances.
            at = Math.min(reply.get(reply.size() - 1).end(), end);
        }
        return of(offset, end, out);
    }

    /** A map from extents that must be contiguous and cover [start, end) exactly. */
    public static ExtentMap of(long start, long end, List<Extent> extents) {
        List<Extent> merged = new ArrayList<>();
        long at = start;
        for (Extent e : extents) {
            if (e.offset() != at) {
                throw new IllegalArgumentException("extent at " + e.offset() + " does not continue at " + at);
            }
            at = e.end();
            Extent last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && last.flags() == e.flags()) {
                merged.set(merged.size() - 1, new Extent(last.offset(), last.length() + e.length(), e.flags()));
            } else {
                merged.add(e);
            }
        }
        if (at != end) {
            throw new IllegalArgumentException("extents end at " + at + ", expected " + end);
        }
        return new ExtentMap(start, end, Collections.unmodifiableList(merged));
    }

    public long start() {
        return start;
    }

    public long end() {
        return end;
    }

    public List<Extent> extents() {
        return extents;
    }

    /** Extents whose flags satisfy {@code test}. */
    public List<Extent> matching(IntPredicate test) {
        return extents.stream().filter(e -> test.test(e.flags())).toList();
    }

    public long bytesMatching(IntPredicate test) {
        return extents.stream().filter(e -> test.test(e.flags())).mapToLong(Extent::length).sum();
    }

    /** The two maps (which must cover the same range) cut at every boundary of either. */
    public static List<Segment> overlay(ExtentMap a, ExtentMap b) {
        if (a.start != b.start || a.end != b.end) {
            throw new IllegalArgumentException("extent maps cover different ranges: [" + a.start + ", " + a.end
                    + ") and [" + b.start + ", " + b.end + ")");
        }
        List<Segment> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        long at = a.start;
        while (at < a.end) {
            Extent x = a.extents.get(i);
            Extent y = b.extents.get(j);
            long next = Math.min(x.end(), y.end());
            out.add(new Segment(at, next - at, x.flags(), y.flags()));
            at = next;
            if (x.end() == next) {
                i++;
            }
            if (y.end() == next) {
                j++;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "ExtentMap[" + start + ", " + end + ") " + extents;
    }
}
