package io.backpoint.repo.backup;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The private directory (0700) of one running backup: the NBD socket the pull backup listens
 * on, and an owner lock held for as long as the backup process lives. The lock is how a later
 * backup tells a job left by a killed process (lock free: abort it) from a backup still running
 * (lock held: leave it alone); the kernel releases it whatever way the process dies.
 */
final class WorkDir implements AutoCloseable {
    static final String PREFIX = "backpoint-";
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    static final String SOCKET = "nbd.sock";
    private static final String LOCK = "owner.lock";
    /** sun_path holds 108 bytes with its terminating NUL. */
    private static final int MAX_SOCKET_PATH = 107;

    private final Path dir;
    private final FileChannel lockChannel;

    private WorkDir(Path dir, FileChannel lockChannel) {
        this.dir = dir;
        this.lockChannel = lockChannel;
    }

    /** Creates and locks a new directory under {@code parent}, named after the domain's uuid. */
    static WorkDir create(Path parent, String domainUuid) {
        try {
            Path dir = createUnique(parent, PREFIX + key(domainUuid) + "-");
            // The umask may have narrowed the mode, never widened it; set it exactly anyway.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            ch.lock();
            WorkDir w = new WorkDir(dir, ch);
            if (w.socket().toString().length() > MAX_SOCKET_PATH) {
                w.close();
                throw BackpointException.of(ErrorCode.INVALID_ARG,
                        "temporary directory '%s' is too deep for a unix socket path; set TMPDIR to a shorter one",
                        parent);
            }
            return w;
        } catch (IOException e) {
            throw BackpointException.of(ErrorCode.OPERATION_FAILED,
                    "cannot create a private directory for the backup under '%s': %s", parent, e.getMessage());
        }
    }

    /** Short names (a unix socket path is short): 8 random hex digits, retried on a clash. */
    private static Path createUnique(Path parent, String prefix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path dir = parent.resolve(prefix + String.format("%08x", RANDOM.nextInt()));
            try {
                return Files.createDirectory(dir,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    Path dir() {
        return dir;
    }

    Path socket() {
        return dir.resolve(SOCKET);
    }

    /** Whether {@code socket} is the socket of a work directory of this domain. */
    static boolean ours(Path socket, String domainUuid) {
        Path parent = socket.getParent();
        return parent != null && socket.getFileName().toString().equals(SOCKET)
                && parent.getFileName().toString().startsWith(PREFIX + key(domainUuid) + "-");
    }

    /**
     * Whether the process that owns {@code dir} is gone (its lock can be taken). A directory
     * without a lock file is one a process was creating when it died: also abandoned.
     */
    static boolean abandoned(Path dir) {
        Path lock = dir.resolve(LOCK);
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            Optional<FileLock> taken = Optional.ofNullable(ch.tryLock());
            taken.ifPresent(l -> {
                try {
                    l.release();
                } catch (IOException e) {
                    // released on close anyway
                }
            });
            return taken.isPresent();
        } catch (OverlappingFileLockException e) {
            return false; // held by this very process
        } catch (java.nio.file.NoSuchFileException e) {
            return Files.isDirectory(dir);
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes the abandoned work directories of this domain under {@code parent}. */
    static void sweep(Path parent, String domainUuid) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, PREFIX + key(domainUuid) + "-*")) {
            for (Path d : dirs) {
                if (Files.isDirectory(d, java.nio.file.LinkOption.NOFOLLOW_LINKS) && abandoned(d)) {
                    deleteTree(d);
                }
            }
        } catch (IOException e) {
            // Leftovers are harmless: the next backup tries again.
        }
    }

    @Override
    public void close() {
        try {
            lockChannel.close();
        } catch (IOException e) {
            // closing releases the lock whatever happens
        }
        deleteTree(dir);
    }

    /** Deletes the files a work directory holds (no subdirectories), then the directory. */
    private static void deleteTree(Path d) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(d);
        } catch (IOException e) {
            // best effort; a later sweep retries
        }
    }

    /** The first 12 hex digits of the domain's uuid: a safe, short file-name part. */
    private static String key(String domainUuid) {
        String k = domainUuid == null ? "" : domainUuid.replaceAll("[^0-9a-fA-F]", "").toLowerCase(java.util.Locale.ROOT);
        k = k.substring(0, Math.min(12, k.length()));
        if (k.isEmpty()) {
            throw new IllegalArgumentException("domain has no uuid");
        }
        return k;
    }
}
