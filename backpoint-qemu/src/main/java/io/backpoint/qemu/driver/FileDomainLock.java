package io.backpoint.qemu.driver;

import io.backpoint.driver.DomainLock;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.util.IoErrors;
import io.backpoint.util.OwnerOnly;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A domain's lock: an fcntl lock on ROOT/lock/NAME.lock against other processes, and a reentrant
 * lock inside this JVM (a JVM may not take the same file lock twice, and a thread that holds the
 * domain may call code that locks it again). The lock file is the owner's alone (0600 in a 0700
 * directory), so no other user can open it to hold it; a wait ends after {@link #WAIT} (libvirt's
 * job wait) with an error that names the holder rather than blocking for ever.
 */
public final class FileDomainLock {
    /** libvirt waits 30 s for a domain's job lock before "cannot acquire state change lock". */
    static final Duration WAIT = Duration.ofSeconds(30);

    private static final class Held {
        final ReentrantLock local = new ReentrantLock();
        FileChannel channel;
        FileLock fileLock;
    }

    private static final Map<Path, Held> HELD = new HashMap<>();
    private static final String DOMAIN = "domain lock";

    private FileDomainLock() {}

    /** A domain's lock. */
    public static DomainLock acquire(Path lockFile) {
        return acquire(lockFile, DOMAIN, WAIT);
    }

    /**
     * Another lock of the same kind, named by {@code description} ("recovery lock") in the errors,
     * so that a user who waited learns which lock it was.
     */
    public static DomainLock acquire(Path lockFile, String description) {
        return acquire(lockFile, description, WAIT);
    }

    static DomainLock acquire(Path lockFile, Duration wait) {
        return acquire(lockFile, DOMAIN, wait);
    }

    static DomainLock acquire(Path lockFile, String description, Duration wait) {
        Path key = canonical(lockFile);
        Held held;
        synchronized (HELD) {
            held = HELD.computeIfAbsent(key, k -> new Held());
        }
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            if (!held.local.tryLock(wait.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                throw timedOut(description, key, wait, "another thread of this process");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BackpointException.of(ErrorCode.OPERATION_ABORTED, "interrupted while waiting for the lock of '%s'", key);
        }
        try {
            if (held.local.getHoldCount() == 1) {
                held.channel = open(key);
                held.fileLock = lockBefore(held.channel, description, key, wait, deadline);
            }
        } catch (IOException e) {
            closeQuietly(held);
            held.local.unlock();
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot take the " + description + " '" + key + "': " + IoErrors.reason(e), e);
        } catch (RuntimeException e) {
            closeQuietly(held);
            held.local.unlock();
            throw e;
        }
        return () -> {
            if (held.local.getHoldCount() == 1) {
                closeQuietly(held);
            }
            held.local.unlock();
        };
    }

    private static FileChannel open(Path key) throws IOException {
        // Made by an earlier call or an older version (perhaps looser): the helper tightens it.
        OwnerOnly.createFile(key);
        return FileChannel.open(key, StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** Polls rather than blocks in fcntl, so the wait can end; the holder usually finishes in milliseconds. */
    private static FileLock lockBefore(FileChannel channel, String description, Path key, Duration wait, long deadline)
            throws IOException {
        long pause = 1;
        while (true) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw timedOut(description, key, wait, LockHolders.describe(key));
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw BackpointException.of(ErrorCode.OPERATION_ABORTED, "interrupted while waiting for the lock of '%s'", key);
            }
            pause = Math.min(pause * 2, 50);
        }
    }

    private static BackpointException timedOut(String description, Path key, Duration wait, String holder) {
        return BackpointException.of(ErrorCode.OPERATION_TIMEOUT,
                "cannot acquire the %s '%s' within %d s: held by %s; try again when it is done", description, key,
                wait.toSeconds(), holder);
    }

    /**
     * One key per lock file however it is reached (symlinks, "..", relative paths): the JVM
     * allows one lock per file, and a second one would fail rather than wait.
     */
    private static Path canonical(Path lockFile) {
        Path abs = lockFile.toAbsolutePath().normalize();
        try {
            OwnerOnly.createDirectories(abs.getParent());
            return abs.getParent().toRealPath().resolve(abs.getFileName());
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot create lock directory '" + abs.getParent() + "': " + IoErrors.reason(e), e);
        }
    }

    private static void closeQuietly(Held held) {
        try {
            if (held.fileLock != null) {
                held.fileLock.release();
            }
            if (held.channel != null) {
                held.channel.close();
            }
        } catch (IOException e) {
            // Closing the channel releases the lock whatever happens here.
        } finally {
            held.fileLock = null;
            held.channel = null;
        }
    }
}
