package io.backpoint.repo.backup;

import io.backpoint.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The backpoint command line in a JVM of its own, as on another host: its own state directory
 * (the -c URI), its own TMPDIR, and only the S3 settings it is given through the environment.
 */
final class ChildCli {
    private final Path cwd;
    private final Map<String, String> env;

    ChildCli(Path cwd, Map<String, String> env) {
        this.cwd = cwd;
        this.env = env;
    }

    record Result(String stdout, String stderr, int status) {
        @Override
        public String toString() {
            return "exit " + status + "\n" + stdout + stderr;
        }
    }

    Result run(String... args) {
        try {
            Files.createDirectories(cwd.resolve("tmp"));
            List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            argv.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(argv).directory(cwd.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
            builder.environment().putAll(env);
            builder.environment().put("TMPDIR", cwd.resolve("tmp").toString());
            Process p = builder.start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String out = read(p.getInputStream());
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("backpoint " + String.join(" ", args) + " did not end in 10 minutes");
            }
            return new Result(out, err.join(), p.exitValue());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Path tmp() {
        return cwd.resolve("tmp");
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
