package io.backpoint.repo.backup;

import io.backpoint.nbd.NbdClient;
import io.backpoint.repo.DiskWriter;
import io.backpoint.repo.WriteTimings;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Reads the planned chunks of one disk over NBD and hands each to the snapshot's disk writer:
 * several reads in flight on the connection, hashing and compression on the worker executor beside
 * the reads, buffers from the shared pool (so memory stays bounded). Parts of a chunk that read
 * as zero are never read, only zeroed in the buffer. A chunk planned with base parts first gets
 * the previous snapshot's chunk into its buffer (read and checked on a worker), then only its
 * dirty parts from the VM; a base chunk that is missing or damaged is never used: the chunk is
 * then read whole from the VM, and a note says so. The whole base chunk is decoded into the
 * chunk's pool buffer (the VM's bytes then overwrite its dirty parts); its stored form is read
 * into a new array per base chunk, alive only while that chunk is decoded, so at most one per
 * chunk in flight.
 */
final class ChunkReader {
    /** Chunks of one disk in flight at once (read or being stored), at least. */
    static final int IN_FLIGHT = 8;

    private final NbdClient client;
    private final DiskWriter writer;
    private final BufferPool pool;
    private final Executor workers;
    private final LongConsumer progress;
    private final Consumer<String> notes;
    private final WriteTimings timings;
    private final ByteBuffer zeroChunk;
    private final int inFlight;

    /** {@code storers}: the workers' threads; each may hold one of this disk's chunks while storing it. */
    ChunkReader(NbdClient client, DiskWriter writer, BufferPool pool, Executor workers, int storers,
            LongConsumer progress, Consumer<String> notes, WriteTimings timings, ByteBuffer zeroChunk) {
        this.inFlight = Math.max(IN_FLIGHT, storers + 2);
        this.client = client;
        this.writer = writer;
        this.pool = pool;
        this.workers = workers;
        this.progress = progress;
        this.notes = notes;
        this.timings = timings;
        this.zeroChunk = zeroChunk;
    }

    void run(List<ChunkWork> work) throws IOException {
        Semaphore slots = new Semaphore(inFlight);
        AtomicReference<Throwable> failure = new AtomicReference<>();
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
                CompletableFuture<ChunkWork> planned = w.fromBase()
                        ? CompletableFuture.supplyAsync(() -> fillFromBase(w, buf), workers)
                        : CompletableFuture.completedFuture(w);
                planned.thenCompose(p -> readFromVm(p, buf))
                        .thenAcceptAsync(p -> {
                            if (failure.get() == null) {
                                writer.put(p.index(), buf.duplicate().position(0).limit(p.length()), p.dataBytes());
                                progress.accept(p.dataBytes());
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

    /** The base chunk into the buffer; the chunk's plan, or its whole-chunk plan when the base cannot be used. */
    private ChunkWork fillFromBase(ChunkWork w, ByteBuffer buf) {
        try {
            writer.readBase(w.index(), buf.duplicate().position(0).limit(w.length()));
            return w;
        } catch (IOException e) {
            notes.accept(writer.name() + ": " + e.getMessage() + "; not used: chunk " + w.index()
                    + " read whole from the VM instead");
            return w.withoutBase();
        }
    }

    /** Zeroes what the plan says is zero, then reads its VM parts into the buffer. */
    private CompletableFuture<ChunkWork> readFromVm(ChunkWork w, ByteBuffer buf) {
        for (ChunkWork.Range z : w.zeroes()) {
            int from = buf.arrayOffset() + (int) (z.offset() - w.offset());
            Arrays.fill(buf.array(), from, from + (int) z.length(), (byte) 0);
        }
        int maxRequest = client.export().bulkRequest();
        List<CompletableFuture<?>> reads = new ArrayList<>();
        long t = System.nanoTime();
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
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(x -> {
            timings.add(WriteTimings.Step.VM_READ, t);
            return w;
        });
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
