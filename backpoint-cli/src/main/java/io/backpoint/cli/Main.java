package io.backpoint.cli;

import io.backpoint.api.Connection;
import io.backpoint.cli.shell.Shell;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Entry point of the {@code backpoint} executable: {@code backpoint [-c URI] COMMAND [ARGS]}, a
 * single argument holding several commands separated by ';', or commands on standard input.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        io.backpoint.util.Trace.mark("main");
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        int status = run(args, System.in, System.console() != null, out, err, Path.of("").toAbsolutePath(), Connection::open);
        out.flush();
        err.flush();
        io.backpoint.util.Trace.mark("exit " + status);
        System.exit(status);
    }

    /**
     * Runs one invocation with the given streams; {@code terminal} says whether {@code in} is a
     * terminal, which alone decides whether the banner and prompts are shown.
     */
    static int run(String[] args, InputStream in, boolean terminal, PrintStream out, PrintStream err, Path cwd,
            Function<String, Connection> connector) {
        String uri = defaultUri();
        int i = 0;
        for (; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-c") || a.equals("--connect")) {
                if (i + 1 >= args.length) {
                    err.println("error: option '" + a + "' requires an argument");
                    return 1;
                }
                uri = args[++i];
            } else if (a.startsWith("--connect=")) {
                uri = a.substring("--connect=".length());
            } else if (a.equals("-V") || a.equals("--version") || a.equals("-v")) {
                out.println(Version.STRING);
                return 0;
            } else if (a.equals("-h") || a.equals("--help")) {
                args = new String[] {"help"};
                i = 0;
                break;
            } else if (a.startsWith("-") && !a.equals("-")) {
                err.println("error: unsupported option '" + a + "'. See --help.");
                return 1;
            } else {
                break;
            }
        }
        Shell shell = new Shell(uri, out, err, cwd, connector, Commands.groups());
        try {
            List<String> rest = List.of(args).subList(i, args.length);
            if (rest.isEmpty()) {
                BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                return shell.runInteractive(lines, terminal);
            }
            if (rest.size() == 1) {
                return shell.runString(rest.get(0));
            }
            return shell.runWords(rest);
        } catch (java.io.IOException e) {
            err.println("error: cannot read standard input: " + e.getMessage());
            return 1;
        } finally {
            shell.close();
            out.flush();
        }
    }

    /**
     * BACKPOINT_DEFAULT_URI, then LIBVIRT_DEFAULT_URI, then virsh's default: qemu:///system for
     * root and qemu:///session for others (both libvirtd).
     */
    static String defaultUri() {
        for (String name : List.of("BACKPOINT_DEFAULT_URI", "LIBVIRT_DEFAULT_URI")) {
            String env = System.getenv(name);
            if (env != null && !env.isEmpty()) {
                return env;
            }
        }
        return "root".equals(System.getProperty("user.name")) ? "qemu:///system" : "qemu:///session";
    }
}
