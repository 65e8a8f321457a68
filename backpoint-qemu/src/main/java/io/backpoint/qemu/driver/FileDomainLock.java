package io.backpoint.qemu.driver;

import io.backpoint.util.IoErrors;
import io.backpoint.driver.DomainLock;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A domain's lock: an fcntl lock on ROOT/lock/NAME.lock against other processes, and a reentrant
 * lock inside this JVM (a JVM may not take the same file lock twice, and a thread that holds the
 * domain may call code that locks it again).
 */
final class FileDomainLock {
    private static final class Held {
        final ReentrantLock local = new ReentrantLock();
        FileChannel channel;
        FileLock fileLock;
    }

    private static final Map<Path, Held> HELD = new HashMap<>();

    private FileDomainLock() {}

    static DomainLock acquire(Path lockFile) {
        Path key = canonical(lockFile);
        Held held;
        synchronized (HELD) {
            held = HELD.computeIfAbsent(key, k -> new Held());
        }
        held.local.lock();
        try {
            if (held.local.getHoldCount() == 1) {
                Files.createDirectories(key.getParent());
                held.channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                held.fileLock = held.channel.lock();
            }
        } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
            closeQuietly(held);
            held.local.unlock();
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot lock domain (" + key + "): " + e.getMessage(), e);
        }
        return () -> {
            if (held.local.getHoldCount() == 1) {
                closeQuietly(held);
            }
            held.local.unlock();
        };
    }

    /**
     * One key per lock file however it is reached (symlinks, "..", relative paths): the JVM
     * allows one lock per file, and a second one would fail rather than wait.
     */
    private static Path canonical(Path lockFile) {
        Path abs = lockFile.toAbsolutePath().normalize();
        try {
            Files.createDirectories(abs.getParent());
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
