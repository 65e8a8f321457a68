package io.backpoint.cli.shell;

import java.io.PrintStream;
import java.util.List;

/** help: the command list, or one command's synopsis and options in virsh's layout. */
public final class HelpCommand implements Command {
    @Override
    public String name() {
        return "help";
    }

    @Override
    public String summary() {
        return "print help";
    }

    @Override
    public String description() {
        return "Prints global help, command specific help, or help for a\ngroup of related commands";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(OptionDef.string("command", "Prints global help, command specific help, or help for a group of related commands"));
    }

    @Override
    public boolean needsConnection() {
        return false;
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        PrintStream out = shell.out();
        String name = args.raw("command");
        if (name == null || name.isEmpty()) {
            out.println("Grouped commands:");
            out.println();
            for (CommandGroup g : shell.groups()) {
                out.printf(" %s (help keyword '%s'):%n", g.title(), g.keyword());
                for (Command c : g.commands()) {
                    out.printf("    %-30s %s%n", c.name(), c.summary());
                }
                out.println();
            }
            return true;
        }
        Command cmd = shell.commands().get(name);
        if (cmd == null) {
            for (CommandGroup g : shell.groups()) {
                if (g.keyword().equals(name)) {
                    out.printf(" %s (help keyword '%s'):%n", g.title(), g.keyword());
                    for (Command c : g.commands()) {
                        out.printf("    %-30s %s%n", c.name(), c.summary());
                    }
                    return true;
                }
            }
            throw new Shell.CommandFailure("command or command group '" + name + "' doesn't exist");
        }
        out.println("  NAME");
        out.println("    " + cmd.name() + " - " + cmd.summary());
        out.println();
        out.println("  SYNOPSIS");
        StringBuilder syn = new StringBuilder("    " + cmd.name());
        for (OptionDef o : cmd.options()) {
            syn.append(' ').append(synopsis(o));
        }
        out.println(syn);
        out.println();
        out.println("  DESCRIPTION");
        for (String line : cmd.description().split("\n")) {
            out.println("    " + line);
        }
        out.println();
        if (!cmd.options().isEmpty()) {
            out.println("  OPTIONS");
            for (OptionDef o : cmd.options()) {
                out.printf("    %-15s  %s%n", optionLabel(o), o.help());
            }
            out.println();
        }
        return true;
    }

    private static String synopsis(OptionDef o) {
        return switch (o.kind()) {
            case BOOL -> "[--" + o.name() + "]";
            case ARGV -> "[[--" + o.name() + "] " + o.valueWord() + "]...";
            default -> o.required() ? "<" + o.name() + ">" : "[--" + o.name() + " " + o.valueWord() + "]";
        };
    }

    private static String optionLabel(OptionDef o) {
        return switch (o.kind()) {
            case BOOL -> "--" + o.name();
            case ARGV -> "[--" + o.name() + "] " + o.valueWord();
            default -> o.required() ? "[--" + o.name() + "] " + o.valueWord() : "--" + o.name() + " " + o.valueWord();
        };
    }
}
