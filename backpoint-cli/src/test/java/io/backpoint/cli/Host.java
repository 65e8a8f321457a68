package io.backpoint.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Host commands for tests: output as text, a non-zero exit (or a hang) is a test failure. */
final class Host {
    private Host() {}

    record Result(int status, String out, String err) {}

    static String run(List<String> argv, Duration limit) throws IOException, InterruptedException {
        Result r = status(argv, limit);
        if (r.status() != 0) {
            throw new AssertionError(String.join(" ", argv) + " exited " + r.status() + ": " + r.err() + r.out());
        }
        return r.out();
    }

    static Result status(List<String> argv, Duration limit) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", argv) + " did not finish within " + limit.toSeconds() + " s");
        }
        return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8), new String(err.join(), StandardCharsets.UTF_8));
    }

    private static byte[] readAll(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
