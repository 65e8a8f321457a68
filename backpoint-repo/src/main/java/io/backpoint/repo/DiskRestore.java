package io.backpoint.repo;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes one disk index into a file already sized to the disk: several chunks read, checked and decompressed in
 * parallel, at most {@code window} chunks in memory whatever the disk size. Zero chunks, and
 * zero blocks inside chunks, are not written, so the output stays sparse.
 */
final class DiskRestore {
    /** Zero runs inside a chunk are left as holes at this granularity (the file system's block). */
    private static final int HOLE_BLOCK = 4096;

    private DiskRestore() {
    }

    /** Returns the bytes of data written (holes not counted). */
    static long restore(Repository repository, Snapshot snapshot, DiskIndex disk, RawOutput out,
            ExecutorService workers, int window) throws IOException {
        Semaphore slots = new Semaphore(window);
        // One buffer per chunk in flight, reused: no 4 MiB arrays made and collected per chunk.
        BlockingQueue<ChunkBuffer> buffers = new ArrayBlockingQueue<>(window);
        for (int i = 0; i < window; i++) {
            buffers.add(new ChunkBuffer(disk.chunkSize()));
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong written = new AtomicLong();
        WriteBehind writeBehind = new WriteBehind(out.channel());
        try (writeBehind) {
            for (long index = 0; index < disk.chunks().size() && failure.get() == null; index++) {
                String id = disk.chunks().get((int) index);
                if (id == null) {
                    continue;
                }
                acquire(slots);
                long chunkIndex = index;
                ChunkBuffer buffer = buffers.remove();
                workers.execute(() -> {
                    try {
                        if (failure.get() == null) {
                            long[] n = writeChunk(repository, disk, chunkIndex, buffer, out);
                            written.addAndGet(n[0]);
                            writeBehind.wrote(n[1]);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        buffers.add(buffer);
                        slots.release();
                    }
                });
            }
            acquire(slots, window); // every task finished
        }
        Throwable problem = failure.get();
        if (problem instanceof ChunkDamagedException damaged) {
            throw BackpointException.of(ErrorCode.READ_FAILED,
                    "snapshot %s of '%s', disk '%s': chunk %s %s; this snapshot cannot be restored (run verify "
                            + "to see every damaged chunk; other snapshots may still restore)",
                    snapshot.id(), snapshot.domain(), disk.name(), damaged.chunkId(), damaged.problem());
        }
        if (problem instanceof IOException io) {
            throw io;
        }
        if (problem instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
        writeBehind.check();
        return written.get();
    }

    /** Returns the bytes written, and of those the bytes written through the page cache. */
    private static long[] writeChunk(Repository repository, DiskIndex disk, long index, ChunkBuffer buffer,
            RawOutput out) throws IOException {
        String id = disk.chunks().get(Math.toIntExact(index));
        ByteBuffer plaintext = repository.readChunk(id, buffer);
        int length = disk.chunkLength(index);
        if (plaintext.remaining() != length) {
            throw new ChunkDamagedException(id, "has " + plaintext.remaining() + " bytes where the disk needs " + length);
        }
        long base = index * disk.chunkSize();
        long written = 0;
        long cached = 0;
        int start = 0;
        while (start < length) {
            // Skip zero blocks; write each run of non-zero blocks in one call.
            while (start < length && ChunkCodec.isZero(plaintext.slice(start, Math.min(HOLE_BLOCK, length - start)))) {
                start += HOLE_BLOCK;
            }
            int end = start;
            while (end < length && !ChunkCodec.isZero(plaintext.slice(end, Math.min(HOLE_BLOCK, length - end)))) {
                end += HOLE_BLOCK;
            }
            end = Math.min(end, length);
            if (end > start) {
                cached += out.write(plaintext.slice(start, end - start), base + start);
                written += end - start;
            }
            start = end;
        }
        return new long[] {written, cached};
    }

    private static void acquire(Semaphore slots) {
        acquire(slots, 1);
    }

    private static void acquire(Semaphore slots, int permits) {
        try {
            slots.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BackpointException.of(ErrorCode.OPERATION_ABORTED, "restore interrupted");
        }
    }
}
