package io.backpoint.cli;

/** A command-line mistake: printed as "error: MESSAGE", nothing runs. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
