package io.backpoint.util;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The reason an I/O call failed, as strerror words it. A {@link FileSystemException}'s message
 * is often just the path (NoSuchFileException), so "cannot create 'X': " + getMessage() printed
 * the path twice and never said why.
 */
public final class IoErrors {
    private static final java.util.regex.Pattern RUN_FAILED =
            java.util.regex.Pattern.compile("Cannot run program \".*\"(?: \\(in directory \".*\"\\))?: error=\\d+, (.*)");

    private IoErrors() {}

    public static String reason(IOException e) {
        if (e instanceof FileSystemException fs) {
            if (fs.getReason() != null) {
                return fs.getReason();
            }
            if (e instanceof NoSuchFileException) {
                return "No such file or directory";
            }
            if (e instanceof AccessDeniedException) {
                return "Permission denied";
            }
            if (e instanceof FileAlreadyExistsException) {
                return "File exists";
            }
            if (e instanceof DirectoryNotEmptyException) {
                return "Directory not empty";
            }
            if (e instanceof NotDirectoryException) {
                return "Not a directory";
            }
            return e.getClass().getSimpleName();
        }
        String message = e.getMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        // ProcessBuilder.start: 'Cannot run program "qemu-img": error=2, No such file or directory'.
        java.util.regex.Matcher m = RUN_FAILED.matcher(message);
        return m.matches() ? m.group(1) : message;
    }
}
