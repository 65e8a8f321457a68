package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands on standard input, one per line, when no command is given: virsh's interactive mode
 * fed from a pipe. Backpoint prints no banner and no prompts there (virsh does: they are cut from
 * its output before comparing), and like virsh exits 0 whatever the commands did.
 */
@ExtendWith(UtcTimeZone.class)
class StdinTest {
    private static final String[] ARGS = {"-c", "test:///default"};
    private static final String BANNER = """
            Welcome to virsh, the virtualization interactive terminal.

            Type:  'help' for help with commands
                   'quit' to quit

            """;

    @TempDir
    static Path dir;




    @Test
    void eachLineRunsWithItsBlankLineAndStateCarriesOver() {
        CliRun run = CliRun.of(dir, "checkpoint-create-as test a\ncheckpoint-create-as test b\ncheckpoint-parent test b\n", ARGS);
        assertThat(run.stdout()).isEqualTo("Domain checkpoint a created\nDomain checkpoint b created\na\n");
        assertThat(run.stderr()).isEmpty();
        assertThat(run.status()).isZero();
    }

    @Test
    void failuresDoNotStopTheRunNorChangeTheExitStatus() {
        CliRun run = CliRun.of(dir, "checkpoint-info test nosuch\nlist --name\ncheckpoint-parent test nosuch\n", ARGS);
        assertThat(run.stdout()).isEqualTo("\ntest\n\n\n");
        assertThat(CliRun.errorKeys(run.stderr()))
                .containsExactly("error: Domain checkpoint not found:", "error: Domain checkpoint not found:");
        assertThat(run.status()).isZero();
    }

    @Test
    void aLineThatDoesNotParseRunsNothingAndPrintsNoBlankLine() {
        CliRun run = CliRun.of(dir, "list --name; nosuch\ncheckpoint-create-as test \"open\nlist --id\n", ARGS);
        assertThat(run.stdout()).isEqualTo("1\n\n");
        assertThat(run.stderr()).isEqualTo("error: unknown command: 'nosuch'\nerror: missing \"\n");
        assertThat(run.status()).isZero();
    }

    @Test
    void quitStopsReadingAndTheLastLineNeedsNoNewline() {
        assertThat(CliRun.of(dir, "list --name\nquit\nlist --id\n", ARGS).stdout()).isEqualTo("test\n\n");
        assertThat(CliRun.of(dir, "list --name; exit; list --id\nlist --uuid\n", ARGS).stdout()).isEqualTo("test\n\n");
        assertThat(CliRun.of(dir, "list --id", ARGS).stdout()).isEqualTo("1\n\n");
    }

    @Test
    void emptyInputAndBlankOrCommentLinesPrintNothing() {
        CliRun run = CliRun.of(dir, "\n   \n# just a comment\n", ARGS);
        assertThat(run.stdout()).isEmpty();
        assertThat(run.stderr()).isEmpty();
        assertThat(run.status()).isZero();
        assertThat(CliRun.of(dir, "", ARGS).stdout()).isEmpty();
    }

    @Test
    void aTerminalGetsTheBannerAndPrompts() throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        try (java.io.PrintStream o = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
                java.io.PrintStream e = new java.io.PrintStream(err, true, StandardCharsets.UTF_8)) {
            int status = Main.run(ARGS, new java.io.ByteArrayInputStream("list --id\n".getBytes(StandardCharsets.UTF_8)),
                    true, o, e, dir, io.backpoint.api.Connection::open);
            assertThat(status).isZero();
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("Welcome to backpoint").contains("backpoint # 1\n\nbackpoint # ").endsWith("\n");
    }

    /** The same inputs through virsh (banner, prompts and their echo cut) and backpoint. */
    @TestFactory
    Stream<DynamicTest> sameAsVirsh() {
        Path virsh = VirshDifferentialTest.onPath("virsh");
        Assumptions.assumeTrue(virsh != null, "virsh is not installed: stdin comparison skipped");
        List<String> inputs = List.of(
                "checkpoint-create-as test a\ncheckpoint-create-as test b\ncheckpoint-list test --tree\ncheckpoint-parent test b\n",
                "checkpoint-info test nosuch\nlist --name\n",
                "list --name; nosuch\ncheckpoint-create-as test \"open\nlist --id\n",
                "list --name\nquit\nlist --id\n",
                "list --name; exit; list --id\nlist --uuid\n",
                "\n   \n# comment\nlist --all\n",
                "checkpoint-create-as test a --print-xml --diskspec vda\nhelp checkpoint-parent\nlist --name",
                "checkpoint-create-as test a\ncheckpoint-delete test a\ncheckpoint-delete test a\n",
                "list \\\n--name\n",
                "");
        return inputs.stream().map(in -> DynamicTest.dynamicTest(in.isBlank() ? "(empty)" : in.replace('\n', '|'),
                () -> compare(virsh, in)));
    }

    private static void compare(Path virsh, String input) throws IOException, InterruptedException {
        long from = System.currentTimeMillis() / 1000;
        CliRun expected = virshStdin(virsh, input);
        CliRun actual = CliRun.of(dir, input, ARGS);
        long to = System.currentTimeMillis() / 1000 + 1;
        assertThat(Times.ofRun(actual.stdout(), from, to)).as("stdout")
                .isEqualTo(Times.ofRun(withoutPrompts(expected.stdout(), input), from, to));
        assertThat(CliRun.errorKeys(actual.stderr())).as("errors; virsh printed %s", expected.stderr())
                .isEqualTo(CliRun.errorKeys(expected.stderr()));
        assertThat(actual.status()).isEqualTo(expected.status());
    }

    /** virsh's stdout without its banner, its "virsh # LINE" echo of each input line, and the final newline. */
    static String withoutPrompts(String out, String input) {
        assertThat(out).startsWith(BANNER);
        StringBuilder rest = new StringBuilder(out.substring(BANNER.length()));
        int at = 0;
        // A final newline ends the last line; it does not start an empty one.
        for (String line : input.split("\n")) {
            String echo = "virsh # " + line + "\n";
            int i = rest.indexOf(echo, at);
            if (i >= 0) {
                rest.delete(i, i + echo.length());
                at = i;
            }
        }
        String s = rest.toString();
        if (s.endsWith("virsh # \n")) {
            return s.substring(0, s.length() - "virsh # \n".length());
        }
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private static CliRun virshStdin(Path virsh, String input) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(virsh.toString(), "-c", "test:///default").directory(dir.toFile());
        pb.environment().put("TZ", "UTC");
        pb.environment().put("LC_ALL", "C");
        Path in = Files.createTempFile(dir, "stdin", ".txt");
        Path out = Files.createTempFile(dir, "virsh", ".out");
        Path err = Files.createTempFile(dir, "virsh", ".err");
        Files.writeString(in, input, StandardCharsets.UTF_8);
        Process p = pb.redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("virsh did not finish");
        }
        return new CliRun(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8),
                p.exitValue());
    }
}
