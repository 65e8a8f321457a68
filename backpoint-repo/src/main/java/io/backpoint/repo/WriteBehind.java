package io.backpoint.repo;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts the write-back of a restore's output while the restore goes on: after every
 * {@link #EVERY} bytes written, one fdatasync on its own thread (never two at once). The fsync
 * before the output is published then finds little left to write, instead of the whole disk at
 * the end with nothing else to do meanwhile. Durability is still the publisher's fsync, but an
 * error one of these calls saw is kept and thrown by {@link #check()}: Linux reports a write-back
 * error to one fsync only, so the publisher's later fsync on a new descriptor may return success
 * over pages that never reached the disk.
 */
final class WriteBehind implements AutoCloseable {
    static final long EVERY = 128L << 20;

    private final FileChannel out;
    private final AtomicLong unflushed = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "restore-write-behind");
        t.setDaemon(true);
        return t;
    });

    WriteBehind(FileChannel out) {
        this.out = out;
    }

    void wrote(long bytes) {
        if (unflushed.addAndGet(bytes) >= EVERY && running.compareAndSet(false, true)) {
            unflushed.set(0);
            thread.execute(() -> {
                try {
                    out.force(false);
                } catch (IOException e) {
                    failure.compareAndSet(null, e);
                } finally {
                    running.set(false);
                }
            });
        }
    }

    /** Throws the first error an fdatasync saw: the output must not be published. Call after {@link #close()}. */
    void check() throws IOException {
        IOException e = failure.get();
        if (e != null) {
            throw new IOException("writing the restored data back to disk failed: " + e.getMessage(), e);
        }
    }

    /** Waits for a running fdatasync, so the channel can be closed under none. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(1, TimeUnit.HOURS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
