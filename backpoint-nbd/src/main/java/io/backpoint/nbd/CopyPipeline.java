package io.backpoint.nbd;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Keeps up to N jobs in flight, counts progress as they finish and remembers the first
 * failure (after which no new job starts). Dependent steps of a job (the write after a read)
 * run on one worker thread, never on a connection's reader thread, which must stay free to
 * read replies.
 */
final class CopyPipeline implements AutoCloseable {
    private final int inFlight;
    private final Semaphore slots;
    private final ExecutorService worker;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CopyProgress progress;
    private final long total;
    private long done;

    CopyPipeline(int inFlight, long total, CopyProgress progress) {
        this.inFlight = inFlight;
        this.slots = new Semaphore(inFlight);
        this.total = total;
        this.progress = progress;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nbd-copy-worker");
            t.setDaemon(true);
            return t;
        });
        report(0);
    }

    ExecutorService worker() {
        return worker;
    }

    boolean failed() {
        return failure.get() != null;
    }

    /** Waits for a free slot, then starts {@code job}; {@code bytes} count as done when it completes. */
    void submit(Supplier<CompletableFuture<?>> job, long bytes) throws InterruptedIOException {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while copying");
        }
        CompletableFuture<?> f;
        try {
            f = job.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((v, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            } else {
                report(bytes);
            }
            slots.release();
        });
    }

    /** Waits for every job; rethrows the first failure. */
    void finish() throws IOException {
        try {
            slots.acquire(inFlight);
            slots.release(inFlight);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while copying");
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

    private synchronized void report(long bytes) {
        done += bytes;
        progress.update(done, total);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
