package io.backpoint.repo.backup;

import io.backpoint.nbd.NbdClient;
import io.backpoint.repo.DiskWriter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * Reads the planned chunks of one disk over NBD and hands each to the snapshot's disk writer:
 * several reads in flight on the connection, hashing and compression on the worker executor beside
 * the reads, buffers from the shared pool (so memory stays bounded). Parts of a chunk that read
 * as zero are never read, only zeroed in the buffer.
 */
final class ChunkReader {
    /** Chunks of one disk in flight at once (read or being stored), at least. */
    static final int IN_FLIGHT = 8;

    private final NbdClient client;
    private final DiskWriter writer;
    private final BufferPool pool;
    private final Executor workers;
    private final LongConsumer progress;
    private final ByteBuffer zeroChunk;
    private final int inFlight;

    /** {@code storers}: the workers' threads; each may hold one of this disk's chunks while storing it. */
    ChunkReader(NbdClient client, DiskWriter writer, BufferPool pool, Executor workers, int storers,
            LongConsumer progress, ByteBuffer zeroChunk) {
        this.inFlight = Math.max(IN_FLIGHT, storers + 2);
        this.client = client;
        this.writer = writer;
        this.pool = pool;
        this.workers = workers;
        this.progress = progress;
        this.zeroChunk = zeroChunk;
    }

    void run(List<ChunkWork> work) throws IOException {
        Semaphore slots = new Semaphore(inFlight);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int maxRequest = client.export().maximumRequest();
        try {
            for (ChunkWork w : work) {
                if (failure.get() != null) {
                    break;
                }
                if (w.zero()) {
                    // Only an incremental plans zero chunks: the chunk must be recorded as zero
                    // now, or the previous snapshot's chunk would show through.
                    writer.put(w.index(), zeroChunk.duplicate().limit(w.length()), 0);
                    continue;
                }
                slots.acquire();
                ByteBuffer buf;
                try {
                    buf = pool.take();
                } catch (InterruptedException e) {
                    slots.release();
                    throw e;
                }
                buf.limit(w.length());
                if (w.dataBytes() < w.length()) {
                    buf.put(0, zeroChunk, 0, w.length());
                }
                List<CompletableFuture<?>> reads = new ArrayList<>();
                try {
                    for (ChunkWork.Range r : w.data()) {
                        for (long at = r.offset(); at < r.end(); at += maxRequest) {
                            int len = (int) Math.min(maxRequest, r.end() - at);
                            int pos = (int) (at - w.offset());
                            reads.add(client.readAsync(at, buf.duplicate().position(pos).limit(pos + len).slice()));
                        }
                    }
                } catch (RuntimeException e) {
                    reads.add(CompletableFuture.failedFuture(e));
                }
                CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                        .thenRunAsync(() -> {
                            if (failure.get() == null) {
                                writer.put(w.index(), buf.duplicate().position(0).limit(w.length()), w.dataBytes());
                                progress.accept(w.dataBytes());
                            }
                        }, workers)
                        .whenComplete((x, err) -> {
                            if (err != null) {
                                failure.compareAndSet(null, unwrap(err));
                            }
                            pool.give(buf);
                            slots.release();
                        });
            }
            slots.acquire(inFlight);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading disk chunks");
        }
        Throwable f = failure.get();
        if (f instanceof IOException io) {
            throw io;
        }
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f != null) {
            throw new IOException(f);
        }
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
