package io.backpoint.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** The command-line tools tests compare against or set up with: whether one is there, and running one. */
public final class Tools {
    /** Generous: a loaded shared machine makes qemu-img and nbdinfo slow, never stuck. */
    private static final long TIMEOUT_SECONDS = 120;

    private Tools() {}

    /** Whether an executable of this name is on PATH. */
    public static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** Skips the test, naming what is missing, unless every program is on PATH. */
    public static void assumeOnPath(String... programs) {
        for (String p : programs) {
            Assumptions.assumeTrue(onPath(p), p + " is needed");
        }
    }

    /** Runs a program; returns its output (stderr included); throws on a nonzero exit or a hang. */
    public static String run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", argv) + " did not finish within " + TIMEOUT_SECONDS + " s: " + out);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + " failed (exit " + p.exitValue() + "): " + out);
        }
        return out;
    }

    /** Runs a program and returns its exit status (for qemu-img compare, whose 1 means "differ"). */
    public static int status(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", argv) + " did not finish within " + TIMEOUT_SECONDS + " s");
        }
        return p.exitValue();
    }
}
