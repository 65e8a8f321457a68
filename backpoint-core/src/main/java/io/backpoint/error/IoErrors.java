package io.backpoint.error;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** How a failed file operation is worded in messages, the same everywhere. */
public final class IoErrors {
    private IoErrors() {}

    /** The strerror-like text libvirt prints for a file that cannot be read. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
