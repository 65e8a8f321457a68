package io.backpoint.repo;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Writes one disk of a snapshot, chunk by chunk, from any number of threads. Each chunk is
 * checked for zeroes, hashed, stored only when the repository does not have it yet, and
 * compressed when that saves space. Chunks never put come from the base index (incremental) or
 * are zero (full).
 */
public final class DiskWriter {
    /** Marks "put, and all zero" apart from null, "not put". */
    private static final String ZERO = "";

    private final SnapshotWriter snapshot;
    private final String name;
    private final long size;
    private final int chunkSize;
    private final DiskMode mode;
    private final String reason;
    private final Optional<DiskIndex> base;
    private final AtomicReferenceArray<String> chunks;
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesStored = new AtomicLong();

    DiskWriter(SnapshotWriter snapshot, String name, long size, int chunkSize, DiskMode mode, String reason,
            Optional<DiskIndex> base) {
        this.snapshot = snapshot;
        this.name = name;
        this.size = size;
        this.chunkSize = chunkSize;
        this.mode = mode;
        this.reason = reason;
        this.base = base;
        this.chunks = new AtomicReferenceArray<>(Math.toIntExact(DiskIndex.chunkCount(size, chunkSize)));
    }

    public String name() {
        return name;
    }

    public long chunkCount() {
        return chunks.length();
    }

    /** Bytes of the disk chunk {@code index} covers: the chunk size, or less for the last chunk. */
    public int chunkLength(long index) {
        return (int) Math.min(chunkSize, size - index * chunkSize);
    }

    /**
     * Stores the chunk at {@code chunkIndex} (its whole plaintext: {@link #chunkLength} bytes from
     * the buffer's position). Returns the bytes newly stored: 0 for a zero chunk or one the
     * repository already has. Thread-safe; the buffer is not kept. Counts the whole chunk as read
     * from the VM; a caller that read only part of it says so with the three-argument form.
     */
    public long put(long chunkIndex, ByteBuffer plaintext) {
        return put(chunkIndex, plaintext, plaintext.remaining());
    }

    /**
     * Stores the chunk as {@link #put(long, ByteBuffer)} does, counting {@code readFromVm} bytes as
     * read from the VM: the parts the allocation map said hold data, not the holes the caller
     * filled with zeroes without reading them.
     */
    public long put(long chunkIndex, ByteBuffer plaintext, long readFromVm) {
        if (chunkIndex < 0 || chunkIndex >= chunks.length()) {
            throw new IllegalArgumentException("chunk " + chunkIndex + " is outside disk '" + name + "'");
        }
        int length = chunkLength(chunkIndex);
        if (plaintext.remaining() != length) {
            throw new IllegalArgumentException("chunk " + chunkIndex + " of disk '" + name + "' must be " + length
                    + " bytes, got " + plaintext.remaining());
        }
        // Checked and hashed in place: a chunk that is zero or already stored is never copied.
        ByteBuffer data = plaintext.duplicate();
        bytesRead.addAndGet(readFromVm);
        long stored;
        String id;
        long t = System.nanoTime();
        boolean zero = ChunkCodec.isZero(data);
        snapshot.timings().add(WriteTimings.Step.HASH, t); // the zero check; storeChunk times the hash
        if (zero) {
            id = ZERO;
            stored = 0;
        } else {
            try {
                SnapshotWriter.StoredChunk put = snapshot.storeChunk(data);
                id = put.id();
                stored = put.bytes();
            } catch (IOException e) {
                throw new UncheckedIOException("storing chunk " + chunkIndex + " of disk '" + name + "'", e);
            }
        }
        chunks.set(Math.toIntExact(chunkIndex), id);
        bytesStored.addAndGet(stored);
        return stored;
    }

    /**
     * Fills {@code into} ({@link #chunkLength} bytes from its position; a heap buffer) with the
     * base snapshot's chunk at {@code index}: zeroes for a zero chunk, else the stored chunk, read
     * and checked against its id, so a damaged base can never pass its bytes into a new chunk.
     *
     * @throws IOException naming the chunk and what is wrong when there is no base or its chunk is
     *     missing or damaged (the buffer then holds undefined bytes): read the chunk from the VM
     */
    public void readBase(long index, ByteBuffer into) throws IOException {
        int length = chunkLength(index);
        if (!into.hasArray() || into.remaining() < length) {
            throw new IllegalArgumentException("a heap buffer of " + length + " bytes is needed");
        }
        DiskIndex b = base.orElseThrow(() -> new IOException("disk '" + name + "' has no base snapshot"));
        int at = into.arrayOffset() + into.position();
        Optional<String> id = b.chunk(index);
        if (id.isEmpty()) {
            java.util.Arrays.fill(into.array(), at, at + length, (byte) 0);
            return;
        }
        try {
            snapshot.readChunkInto(id.get(), into.array(), at, length);
        } catch (ChunkDamagedException e) {
            throw new IOException("base chunk " + index + " of disk '" + name + "': " + e.getMessage(), e);
        }
    }

    /** The index as it stands; called by commit once every put has returned. */
    DiskIndex index() {
        List<String> ids = new ArrayList<>(chunks.length());
        for (int i = 0; i < chunks.length(); i++) {
            String id = chunks.get(i);
            if (id == null) {
                id = base.flatMap(b -> b.chunk(ids.size())).orElse(null);
            } else if (id.equals(ZERO)) {
                id = null;
            }
            ids.add(id);
        }
        return new DiskIndex(name, size, chunkSize, mode, reason, bytesRead.get(), bytesStored.get(), ids);
    }

    static void checkBase(String name, long size, int chunkSize, Optional<DiskIndex> base) {
        base.ifPresent(b -> {
            if (b.size() != size || b.chunkSize() != chunkSize) {
                throw BackpointException.of(ErrorCode.INVALID_ARG,
                        "disk '%s': the base index has size %d and chunk size %d, the disk %d and %d; take it full",
                        name, b.size(), b.chunkSize(), size, chunkSize);
            }
        });
    }
}
