package io.backpoint.cli.shell;

import java.util.List;

/**
 * Fills a command's options from its words with virsh's rules: {@code --opt value},
 * {@code --opt=value}, bare words filling positional options in declaration order, {@code --}
 * ending options, and virsh's messages for every mistake. Like virsh, every command takes
 * {@code --help} (its help page instead of running it), and the help command itself ignores
 * options and words it does not know.
 */
final class CommandParser {
    private CommandParser() {}

    static ParsedArgs parse(Command cmd, List<String> words) throws UsageException {
        ParsedArgs args = new ParsedArgs(cmd);
        boolean optionsDone = false;
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (!optionsDone && word.equals("--")) {
                optionsDone = true;
                continue;
            }
            if (!optionsDone && word.startsWith("--") && word.length() > 2) {
                String name = word.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                OptionDef opt = find(cmd, name);
                if (opt == null && name.equals("help")) {
                    opt = HELP;
                }
                if (opt == null && lenient(cmd)) {
                    continue;
                }
                if (opt == null) {
                    throw new UsageException("command '" + cmd.name() + "' doesn't support option --" + name);
                }
                if (args.has(name) && opt.kind() != OptionDef.Kind.ARGV) {
                    throw new UsageException("option --" + name + " already seen");
                }
                if (opt.kind() == OptionDef.Kind.BOOL) {
                    if (value != null) {
                        throw new UsageException("invalid '=' after option --" + name);
                    }
                    args.add(name, "");
                    continue;
                }
                if (value == null) {
                    if (i + 1 >= words.size()) {
                        throw new UsageException("expected syntax: --" + name + " " + opt.valueWord());
                    }
                    value = words.get(++i);
                }
                args.add(name, checked(opt, value));
                continue;
            }
            OptionDef target = nextPositional(cmd, args);
            if (target == null && lenient(cmd)) {
                continue;
            }
            if (target == null) {
                throw new UsageException("unexpected data '" + word + "'");
            }
            args.add(target.name(), checked(target, word));
        }
        if (args.has(HELP.name()) && find(cmd, HELP.name()) == null) {
            ParsedArgs help = new ParsedArgs(HELP_COMMAND);
            help.add("command", cmd.name());
            return help;
        }
        for (OptionDef opt : cmd.options()) {
            if (opt.required() && !args.has(opt.name())) {
                throw new UsageException(opt.positional()
                        ? "command '" + cmd.name() + "' requires <" + opt.name() + "> option"
                        : "command '" + cmd.name() + "' requires --" + opt.name() + " option");
            }
        }
        return args;
    }

    /** The --help every command accepts. */
    private static final OptionDef HELP = OptionDef.bool("help", "print help for this command");
    private static final Command HELP_COMMAND = new HelpCommand();

    /** virsh's help ignores stray options and words ("help list --all" shows list's help). */
    private static boolean lenient(Command cmd) {
        return cmd instanceof HelpCommand;
    }

    private static String checked(OptionDef opt, String value) throws UsageException {
        if (opt.kind() == OptionDef.Kind.INT) {
            try {
                Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new UsageException("Numeric value '" + value + "' for <" + opt.name() + "> option is malformed or out of range");
            }
        }
        return value;
    }

    private static OptionDef find(Command cmd, String name) {
        for (OptionDef o : cmd.options()) {
            if (o.name().equals(name)) {
                return o;
            }
        }
        return null;
    }

    private static OptionDef nextPositional(Command cmd, ParsedArgs args) {
        for (OptionDef o : cmd.options()) {
            if (o.positional() && (o.kind() == OptionDef.Kind.ARGV || !args.has(o.name()))) {
                return o;
            }
        }
        return null;
    }
}
