package io.backpoint.cli.shell;

import java.util.List;

/** quit and exit: virsh's shell builtins that end a run; the shell acts on them itself. */
final class QuitCommand implements Command {
    private final String name;

    QuitCommand(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String summary() {
        return "quit this interactive terminal";
    }

    @Override
    public String description() {
        return "quit this interactive terminal";
    }

    @Override
    public List<OptionDef> options() {
        return List.of();
    }

    @Override
    public boolean needsConnection() {
        return false;
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) {
        // Never reached: Shell stops at a quit before running it.
        return true;
    }
}
