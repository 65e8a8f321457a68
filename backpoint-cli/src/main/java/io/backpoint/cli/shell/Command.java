package io.backpoint.cli.shell;

import java.util.List;

/** A backpoint command: its name, options and help, and what it does. One class per command. */
public interface Command {
    String name();

    /** One line for the command list. */
    String summary();

    /** A longer description for {@code help COMMAND}. */
    String description();

    List<OptionDef> options();

    /** Whether the command needs a connection (help and validate do not). */
    default boolean needsConnection() {
        return true;
    }

    /**
     * Whether standard output carries bytes that must reach it unchanged (a file's content):
     * then no blank line follows the command's output.
     */
    default boolean rawOutput() {
        return false;
    }

    /** Runs the command; returns false when it failed after printing its own error. */
    boolean run(Shell shell, ParsedArgs args) throws Exception;
}
