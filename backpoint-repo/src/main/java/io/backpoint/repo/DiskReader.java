package io.backpoint.repo;

import io.backpoint.nbd.Extent;
import io.backpoint.nbd.MetaContext;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Random access to one disk of a snapshot through its index, for serve (any range, chunks kept in
 * a cache). Every chunk is verified against its id ({@link Repository#readChunk}); a zero chunk is
 * never fetched. Restore, which reads each chunk once in order, reads them into reused buffers
 * instead ({@link DiskRestore}).
 */
final class DiskReader {
    private static final byte[] ZEROS = new byte[64 << 10];

    private final ChunkCache chunks;
    private final Snapshot snapshot;
    private final DiskIndex disk;

    DiskReader(ChunkCache chunks, Snapshot snapshot, DiskIndex disk) {
        this.chunks = chunks;
        this.snapshot = snapshot;
        this.disk = disk;
    }

    DiskIndex disk() {
        return disk;
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** The plaintext of chunk {@code index}, checked to be as long as the disk needs; null for a zero chunk. */
    byte[] chunk(long index) {
        String id = disk.chunks().get(Math.toIntExact(index));
        if (id == null) {
            return null;
        }
        byte[] plaintext = chunks.get(id);
        int length = disk.chunkLength(index);
        if (plaintext.length != length) {
            throw new ChunkDamagedException(id, "has " + plaintext.length + " bytes where the disk needs " + length);
        }
        return plaintext;
    }

    /** Fills {@code into} (position to limit) with the disk's bytes at {@code offset}. */
    void read(long offset, ByteBuffer into) {
        if (offset < 0 || offset + into.remaining() > disk.size()) {
            throw new IllegalArgumentException("read of " + into.remaining() + " bytes at " + offset
                    + " is outside disk '" + disk.name() + "' of " + disk.size() + " bytes");
        }
        int chunkSize = disk.chunkSize();
        while (into.hasRemaining()) {
            long index = offset / chunkSize;
            int within = (int) (offset - index * chunkSize);
            int n = Math.min(into.remaining(), disk.chunkLength(index) - within);
            byte[] plaintext = chunk(index);
            if (plaintext == null) {
                for (int left = n; left > 0; left -= Math.min(left, ZEROS.length)) {
                    into.put(ZEROS, 0, Math.min(left, ZEROS.length));
                }
            } else {
                into.put(plaintext, within, n);
            }
            offset += n;
        }
    }

    /**
     * {@code base:allocation} of {@code [offset, offset + length)} from the index alone: zero
     * chunks are holes that read as zeroes, the others data.
     */
    List<Extent> allocation(long offset, long length) {
        List<Extent> out = new ArrayList<>();
        long end = Math.min(disk.size(), offset + length);
        int chunkSize = disk.chunkSize();
        long at = offset;
        while (at < end) {
            long index = at / chunkSize;
            long chunkEnd = Math.min(disk.size(), (index + 1) * chunkSize);
            int flags = disk.chunks().get(Math.toIntExact(index)) == null
                    ? MetaContext.STATE_HOLE | MetaContext.STATE_ZERO : 0;
            Extent.append(out, at, chunkEnd - at, flags);
            at = chunkEnd;
        }
        return out;
    }
}
