package io.backpoint.repo;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts the write-back of a restore's output while the restore goes on: after every
 * {@link #EVERY} bytes written, one fdatasync on its own thread (never two at once). The fsync
 * before the output is published then finds little left to write, instead of the whole disk at
 * the end with nothing else to do meanwhile. It only schedules: durability is still the
 * publisher's fsync, which also reports any error these calls saw.
 */
final class WriteBehind implements AutoCloseable {
    static final long EVERY = 128L << 20;

    private final FileChannel out;
    private final AtomicLong unflushed = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean();
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
                    // the publisher's fsync sees the same error and reports it
                } finally {
                    running.set(false);
                }
            });
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
