package io.backpoint.cli.shell;

/** A command-line mistake: printed as "error: MESSAGE", nothing runs. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
