package io.backpoint.util;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * State that only its owner may read, write or lock, whatever the umask: directories 0700 and
 * files 0600 set explicitly (a mode given at creation is masked by the umask; one set afterwards
 * is not), and state owned by another user refused, since that user could have planted it (a
 * job record naming a file of ours to delete, a lock file held for ever).
 */
public final class OwnerOnly {
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private static final int OWN_UID = ownUid();

    private OwnerOnly() {}

    /** Creates {@code dir} and its missing parents 0700; {@code dir} must then be a directory of ours. */
    public static Path createDirectories(Path dir) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir.toAbsolutePath().normalize(); p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing.push(p);
        }
        while (!missing.isEmpty()) {
            Path p = missing.pop();
            try {
                Files.createDirectory(p);
                Files.setPosixFilePermissions(p, DIRECTORY);
            } catch (FileAlreadyExistsException e) {
                // Another process made it first: checked below like any existing directory.
            }
        }
        requireOwnDirectory(dir);
        return dir;
    }

    /**
     * An existing state directory: ours (else refused), and made 0700 if it was looser (created
     * by an older version under a permissive umask).
     */
    public static void requireOwnDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileSystemException(dir.toString(), null,
                    "'" + dir + "' is not a directory (a symbolic link or file is refused in the state directory)");
        }
        requireOwned(dir);
        if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(DIRECTORY)) {
            Files.setPosixFilePermissions(dir, DIRECTORY);
        }
    }

    /** A file or directory that exists must belong to this process's user. */
    public static void requireOwned(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (uid != OWN_UID) {
            throw new FileSystemException(p.toString(), null, "'" + p + "' is owned by uid " + uid + ", not by this user (uid " + OWN_UID
                    + "): state another user can write is refused; remove it or fix its owner");
        }
    }

    /**
     * Creates {@code file} 0600 unless it exists, then holds it to {@link #requireOwnFile}: a file
     * that others append to (a log, a lock) is the owner's alone whatever the umask or an older version left.
     */
    public static Path createFile(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
        } catch (FileAlreadyExistsException e) {
            // Made by an earlier call: checked below.
        }
        requireOwnFile(file);
        return file;
    }

    /** A state file: ours, and 0600. */
    public static void requireOwnFile(Path file) throws IOException {
        requireOwned(file);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                && !Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).equals(FILE)) {
            Files.setPosixFilePermissions(file, FILE);
        }
    }

    public static int uid() {
        return OWN_UID;
    }

    private static int ownUid() {
        try {
            // /proc/self is owned by the process's effective uid.
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot learn this process's uid from /proc/self", e);
        }
    }
}
