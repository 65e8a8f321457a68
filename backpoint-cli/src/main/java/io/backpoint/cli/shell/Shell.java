package io.backpoint.cli.shell;

import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.error.BackpointException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs commands as virsh does: a whole command string is parsed before anything runs (a mistake
 * anywhere runs nothing), then each command runs in turn whatever the previous one did, each
 * followed by a blank line, and the exit status is that of the last command.
 */
public final class Shell {
    private final List<CommandGroup> groups;
    private final Map<String, Command> commands = new LinkedHashMap<>();
    private final PrintStream out;
    private final PrintStream err;
    private final Path workingDir;
    private final Function<String, Connection> connector;
    private String uri;
    private Connection connection;
    private boolean quit;

    public Shell(String uri, PrintStream out, PrintStream err, Path workingDir, Function<String, Connection> connector,
            List<CommandGroup> groups) {
        this.uri = uri;
        this.out = out;
        this.err = err;
        this.workingDir = workingDir;
        this.connector = connector;
        this.groups = List.copyOf(groups);
        for (CommandGroup g : groups) {
            for (Command c : g.commands()) {
                commands.put(c.name(), c);
            }
        }
        // virsh's shell builtins: they stop the run; they are not listed by help.
        commands.put("quit", new QuitCommand("quit"));
        commands.put("exit", new QuitCommand("exit"));
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    /** The commands by group, as help lists them (the shell builtins are not among them). */
    public List<CommandGroup> groups() {
        return groups;
    }

    public Map<String, Command> commands() {
        return commands;
    }

    /** A path as given by the user, resolved against the working directory. */
    public Path path(String given) {
        return workingDir.resolve(given);
    }

    /** The connection, opened on first use. */
    public Connection connection() {
        if (connection == null) {
            connection = connector.apply(uri);
            io.backpoint.util.Trace.mark("connected " + uri);
        }
        return connection;
    }

    /** virsh's domain lookup: by id when numeric, then by UUID, then by name. */
    public Domain domain(String nameOrId) {
        Connection conn = connection();
        if (nameOrId.matches("[0-9]+")) {
            try {
                return conn.domainById(Integer.parseInt(nameOrId));
            } catch (BackpointException | NumberFormatException e) {
                // fall through to the other lookups, as virsh does
            }
        }
        if (nameOrId.matches("(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")) {
            try {
                return conn.domainByUuid(nameOrId);
            } catch (BackpointException e) {
                // fall through
            }
        }
        try {
            return conn.domainByName(nameOrId);
        } catch (BackpointException e) {
            throw new CommandFailure("failed to get domain '" + nameOrId + "'");
        }
    }

    /** Parses and runs a whole command string; returns the exit status. */
    public int runString(String input) {
        if (input.isEmpty()) {
            // virsh refuses an empty command string silently, yet accepts one of blanks.
            return 1;
        }
        List<ParsedArgs> parsed;
        try {
            parsed = parseAll(input);
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        return runAll(parsed) ? 0 : 1;
    }

    /** Runs parsed commands in turn up to a quit; true when the last one run succeeded. */
    private boolean runAll(List<ParsedArgs> parsed) {
        boolean ok = true;
        for (ParsedArgs args : parsed) {
            if (args.command() instanceof QuitCommand) {
                quit = true;
                break;
            }
            ok = execute(args);
        }
        return ok;
    }

    /** Runs one command given as separate words (argv); a lone ";" word separates commands. */
    public int runWords(List<String> words) {
        List<ParsedArgs> parsed = new ArrayList<>();
        List<String> current = new ArrayList<>();
        try {
            for (String w : words) {
                if (w.equals(";")) {
                    addParsed(parsed, current);
                    current = new ArrayList<>();
                } else {
                    current.add(w);
                }
            }
            addParsed(parsed, current);
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        return runAll(parsed) ? 0 : 1;
    }

    private void addParsed(List<ParsedArgs> parsed, List<String> words) throws UsageException {
        if (words.isEmpty()) {
            return;
        }
        Command cmd = commands.get(words.get(0));
        if (cmd == null) {
            throw new UsageException("unknown command: '" + words.get(0) + "'");
        }
        parsed.add(CommandParser.parse(cmd, words.subList(1, words.size())));
    }

    /**
     * Reads commands from standard input, one line at a time, as virsh's interactive mode does:
     * a line that does not parse runs nothing, a command's failure does not stop the others, and
     * the exit status is 0 whatever the commands did, as virsh's is. The banner and the prompts
     * are printed only to a terminal (virsh prints them even into a pipe), so scripts read clean
     * output.
     */
    public int runInteractive(BufferedReader in, boolean prompt) throws IOException {
        if (prompt) {
            out.println("Welcome to backpoint, the checkpoint and backup terminal.");
            out.println();
            out.println("Type:  'help' for help with commands");
            out.println("       'quit' to quit");
            out.println();
        }
        while (!quit) {
            if (prompt) {
                out.print("backpoint # ");
                out.flush();
            }
            String line = in.readLine();
            if (line == null) {
                break;
            }
            List<ParsedArgs> parsed;
            try {
                parsed = parseAll(line);
            } catch (UsageException e) {
                err.println("error: " + e.getMessage());
                continue;
            }
            runAll(parsed);
        }
        if (prompt) {
            out.println();
        }
        return 0;
    }

    private List<ParsedArgs> parseAll(String input) throws UsageException {
        List<List<String>> split;
        try {
            split = CommandLexer.split(input);
        } catch (CommandLexer.LexException e) {
            throw new UsageException(e.getMessage());
        }
        List<ParsedArgs> parsed = new ArrayList<>();
        for (List<String> words : split) {
            addParsed(parsed, words);
        }
        return parsed;
    }

    /** Runs one command: errors go to stderr as "error: ...", then virsh's blank line. */
    boolean execute(ParsedArgs args) {
        boolean ok;
        try {
            ok = args.command().run(this, args);
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            ok = false;
        } catch (CommandFailure e) {
            for (String line : e.lines()) {
                err.println("error: " + line);
            }
            ok = false;
        } catch (BackpointException e) {
            err.println("error: " + e.getMessage());
            ok = false;
        } catch (Exception e) {
            // A bug, not a user mistake: say so plainly, without hiding it.
            err.println("error: internal error: " + e);
            ok = false;
        }
        if (!args.command().rawOutput()) {
            out.println();
        }
        out.flush();
        return ok;
    }

    public void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    /** A command's own failure message(s), printed as virsh's vshError lines. */
    public static final class CommandFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final List<String> lines;

        public CommandFailure(String... lines) {
            super(String.join("; ", lines));
            this.lines = List.of(lines);
        }

        /** A failure message followed by the library error that caused it. */
        public static CommandFailure because(String message, BackpointException cause) {
            return new CommandFailure(message, cause.getMessage());
        }

        List<String> lines() {
            return lines;
        }
    }
}
