package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.api.Connection;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One in-process run of the backpoint command line, with what it printed and its status. */
record CliRun(String stdout, String stderr, int status) {

    /** Runs {@code backpoint ARGS} in {@code cwd} with {@code stdin} as a pipe (not a terminal). */
    static CliRun of(Path cwd, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(args, in, false, o, e, cwd, Connection::open);
        }
        return new CliRun(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), status);
    }

    /** {@code backpoint -c URI WORDS} in {@code cwd} with nothing on standard input. */
    static CliRun on(Path cwd, String uri, String... words) {
        List<String> args = new ArrayList<>(List.of("-c", uri));
        args.addAll(List.of(words));
        return of(cwd, "", args.toArray(String[]::new));
    }

    /** Fails, showing what the run printed, unless it exited 0. */
    static void assertOk(CliRun r) {
        assertThat(r.status()).as("stdout: %s%nstderr: %s", r.stdout(), r.stderr()).isZero();
    }

    /** {@code backpoint -c test:///default COMMANDS} with nothing on standard input. */
    static CliRun commands(Path cwd, String commands) {
        return of(cwd, "", "-c", "test:///default", commands);
    }

    /** The error lines of a stderr, each cut before its second colon, as the transcripts compare them. */
    static List<String> errorKeys(String stderr) {
        List<String> keys = new ArrayList<>();
        for (String line : stderr.split("\n", -1)) {
            if (line.startsWith("error:")) {
                int second = line.indexOf(':', "error:".length());
                keys.add(second < 0 ? line : line.substring(0, second + 1));
            }
        }
        return keys;
    }
}
