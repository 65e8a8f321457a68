package io.backpoint.nbd;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * One request in flight, and what has arrived for it so far: which byte ranges of a read
 * were filled (so overlapping or missing chunks are caught), the extents of a block status,
 * and the first error chunk.
 */
final class PendingRequest {
    final long cookie;
    final int command;
    final long offset;
    final long length;
    /** READ only: receives the data, from its position on, {@code length} bytes. */
    final ByteBuffer target;
    final CompletableFuture<Object> future = new CompletableFuture<>();

    private TreeMap<Long, Long> filled;
    private long filledBytes;
    final Map<Integer, List<Extent>> status = new HashMap<>();
    NbdException error;

    PendingRequest(long cookie, int command, long offset, long length, ByteBuffer target) {
        this.cookie = cookie;
        this.command = command;
        this.offset = offset;
        this.length = length;
        this.target = target;
    }

    /** True if [start, start+len) lies inside the request. {@code start} is absolute. */
    boolean inside(long start, long len) {
        return start >= offset && len >= 0 && start - offset <= length - len;
    }

    /**
     * Records that [start, start+len) was delivered; false if it overlaps an earlier chunk,
     * which the spec forbids.
     */
    boolean fill(long start, long len) {
        if (filled == null) {
            filled = new TreeMap<>();
        }
        var before = filled.floorEntry(start);
        if (before != null && before.getValue() > start) {
            return false;
        }
        var after = filled.ceilingEntry(start);
        if (after != null && after.getKey() < start + len) {
            return false;
        }
        filled.put(start, start + len);
        filledBytes += len;
        return true;
    }

    long filledBytes() {
        return filledBytes;
    }

    String describe() {
        return NbdProtocol.commandName(command) + " at offset " + offset + " length " + length;
    }
}
