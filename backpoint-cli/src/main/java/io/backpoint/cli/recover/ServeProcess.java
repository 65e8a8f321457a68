package io.backpoint.cli.recover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.util.AtomicFiles;
import io.backpoint.util.OwnerOnly;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code backpoint serve} of the snapshot as a detached process: its own session (setsid), so
 * neither the end of the recover command nor a Ctrl-C on its terminal stops it. Its pid and
 * start time are recorded in {@code serve.json} in the recovery directory, so a later call finds
 * it, and a recycled pid is never taken for it.
 */
final class ServeProcess implements SnapshotServer {
    static final String STATE = "serve.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_LIMIT = Duration.ofSeconds(120);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(30);

    private final Path dir;
    private final List<String> command;

    /** @param command the serve command line, without the socket option (added here) */
    ServeProcess(Path dir, List<String> command) {
        this.dir = dir;
        this.command = List.copyOf(command);
    }

    /** This JVM's own {@code serve} of a snapshot. */
    static ServeProcess backpoint(Path dir, String repository, String snapshot) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> argv = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-Xlog:disable", "-Xlog:all=off",
                "-XX:-PrintWarnings", "-cp", System.getProperty("java.class.path"), "io.backpoint.cli.Main",
                "serve", "--repo", repository, snapshot));
        return new ServeProcess(dir, argv);
    }

    @Override
    public Path socket() {
        return dir.resolve("serve.sock");
    }

    @Override
    public boolean alive() {
        return handle().isPresent();
    }

    private Optional<ProcessHandle> handle() {
        Path state = dir.resolve(STATE);
        if (!Files.exists(state)) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(state.toFile());
            long pid = n.path("pid").asLong();
            Instant started = Instant.parse(n.path("started").asText());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().startInstant().map(started::equals).orElse(false));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public void start() {
        if (alive()) {
            return;
        }
        Path log = dir.resolve("serve.log");
        try {
            Files.deleteIfExists(socket());
            // What the server prints can name the repository and its paths: the owner's alone, as the state is.
            OwnerOnly.createFile(log);
            List<String> argv = new ArrayList<>();
            argv.add("setsid");
            argv.addAll(command);
            argv.addAll(List.of("--socket", socket().toString()));
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            try {
                Instant started = p.info().startInstant().orElseThrow(() -> new IOException("no start time for pid " + p.pid()));
                AtomicFiles.write(dir.resolve(STATE), JSON.createObjectNode().put("pid", p.pid())
                        .put("started", started.toString()).put("socket", socket().toString()).toPrettyString() + "\n");
                awaitSocket(p, log);
            } catch (IOException | RuntimeException | Error e) {
                // A detached server no one will use would hold the repository (and its lease) for ever.
                try {
                    discard(p);
                } catch (IOException d) {
                    e.addSuppressed(d);
                }
                throw e;
            }
        } catch (IOException e) {
            throw BackpointException.of(ErrorCode.OPERATION_FAILED, "cannot start the serve process: %s", e.getMessage());
        }
    }

    /** Kills a server that did not start, with what it started, and removes what recorded it. */
    private void discard(Process p) throws IOException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        boolean interrupted = Thread.interrupted();
        try {
            p.onExit().get(STOP_LIMIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // SIGKILL was sent; the state is removed below either way.
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        Files.deleteIfExists(dir.resolve(STATE));
        Files.deleteIfExists(socket());
    }

    private void awaitSocket(Process p, Path log) throws IOException {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("it exited with status " + p.exitValue() + ": " + tail(log));
            }
            if (Files.exists(socket())) {
                try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket()))) {
                    return;
                } catch (IOException e) {
                    // bound but not yet listening
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
        throw new IOException("its socket '" + socket() + "' did not accept connections within "
                + START_LIMIT.toSeconds() + " s; see " + log);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size())).strip();
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void stop() {
        Optional<ProcessHandle> h = handle();
        if (h.isPresent()) {
            h.get().destroy();
            try {
                h.get().onExit().get(STOP_LIMIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                h.get().destroyForcibly();
            }
        }
        try {
            Files.deleteIfExists(socket());
            Files.deleteIfExists(dir.resolve(STATE));
        } catch (IOException e) {
            throw BackpointException.of(ErrorCode.OPERATION_FAILED, "cannot remove the serve state in '%s': %s", dir,
                    e.getMessage());
        }
    }
}
