package io.backpoint.repo;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The one road for restore outputs: written under a temporary name (0600) beside the output,
 * fsynced, then published by a link that fails when the output exists, so an existing file is
 * never overwritten and a failed restore never leaves a partial output under the real name.
 */
final class OutputFiles {
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private OutputFiles() {
    }

    static void checkAbsent(Path output) {
        if (Files.exists(output, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                    "'%s' already exists; restore never overwrites a file: remove it or choose another output", output);
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID, "directory '%s' does not exist", parent);
        }
    }

    /** A new empty temporary file beside {@code output}, readable by its owner only. */
    static Path temp(Path output) throws IOException {
        byte[] suffix = new byte[6];
        RANDOM.nextBytes(suffix);
        Path temp = output.toAbsolutePath().resolveSibling(
                "." + output.getFileName() + ".restore-" + HexFormat.of().formatHex(suffix));
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(FILE_MODE));
        Files.setPosixFilePermissions(temp, FILE_MODE); // the umask filtered the creation mode
        return temp;
    }

    /** Makes {@code temp} durable and visible as {@code output}; removes the temporary name. */
    static void publish(Path temp, Path output) throws IOException {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        try {
            Files.createLink(output, temp);
        } catch (FileAlreadyExistsException e) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                    "'%s' appeared while restoring; it was left as it is", output);
        } finally {
            Files.deleteIfExists(temp);
        }
        try (FileChannel dir = FileChannel.open(output.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
