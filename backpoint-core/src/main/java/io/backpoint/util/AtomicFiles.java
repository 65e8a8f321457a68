package io.backpoint.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file replacement: write a temporary file beside the target, fsync it, rename it over
 * the target, fsync the directory. After a crash at any point the target holds either the old
 * or the new content, never a mix.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    public static void write(Path target, String content) throws IOException {
        write(target, content.getBytes(StandardCharsets.UTF_8));
    }

    public static void write(Path target, byte[] content) throws IOException {
        CrashPoints.before("write:" + target.getFileName());
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = written(dir, target, content);
        try {
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("file system cannot rename atomically in " + dir, e);
            }
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
        CrashPoints.after("write:" + target.getFileName());
    }

    /**
     * Like {@link #write}, but never replaces anything: the file appears whole or not at all, and
     * FileAlreadyExistsException says something is already at {@code target} (a hard link of the
     * temporary file, which link(2) refuses to put over an existing name).
     */
    public static void create(Path target, String content) throws IOException {
        CrashPoints.before("write:" + target.getFileName());
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = written(dir, target, content.getBytes(StandardCharsets.UTF_8));
        try {
            Files.createLink(target, tmp);
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
        CrashPoints.after("write:" + target.getFileName());
    }

    /** A temporary file beside {@code target} (owner-only) holding {@code content}, synced. */
    private static Path written(Path dir, Path target, byte[] content) throws IOException {
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            // Killed here, the temporary file stays: the owner removes it on its next call.
            CrashPoints.reach("write:" + target.getFileName() + ":written");
            return tmp;
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /**
     * Deletes the temporary files that writes of {@code target} ({@link #write} and writers
     * using the same {@code .<name>.<number>.tmp} names) left when killed before their rename.
     * Call it only where no other writer of the target can run (under the owner's lock). Only
     * files named exactly so are touched.
     */
    public static void removeLeftovers(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        String prefix = "." + target.getFileName() + ".";
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, prefix + "*.tmp")) {
            for (Path f : files) {
                String middle = f.getFileName().toString();
                middle = middle.substring(prefix.length(), middle.length() - ".tmp".length());
                if (!middle.isEmpty() && middle.chars().allMatch(Character::isDigit) && Files.isRegularFile(f,
                        LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            // Harmless garbage (hidden, never read); the next call tries again.
        }
    }

    /** Deletes a file and makes the deletion durable. */
    public static void delete(Path target) throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        CrashPoints.before("delete:" + target.getFileName());
        if (Files.deleteIfExists(target)) {
            syncDirectory(target.toAbsolutePath().getParent());
        }
        CrashPoints.after("delete:" + target.getFileName());
    }

    /** fsync of a directory, so that a rename or unlink in it survives a crash. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
