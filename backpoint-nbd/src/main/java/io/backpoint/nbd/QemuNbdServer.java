package io.backpoint.nbd;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code qemu-nbd} for one image file, on a unix socket in a private temporary directory
 * (or on TCP), until {@link #close()}. It is how a pull backup gets a writable destination
 * (a fresh qcow2) and how tests get a source. Readiness is the pid file: qemu-nbd writes it
 * only once its socket is listening.
 */
public final class QemuNbdServer implements AutoCloseable {
    private final Process process;
    private final Path directory;
    private final boolean ownsDirectory;
    private final Path log;
    private final SocketAddress address;
    private final String exportName;

    private QemuNbdServer(Process process, Path directory, boolean ownsDirectory, Path log,
            SocketAddress address, String exportName) {
        this.process = process;
        this.directory = directory;
        this.ownsDirectory = ownsDirectory;
        this.log = log;
        this.address = address;
        this.exportName = exportName;
    }

    public static Builder builder(Path image) {
        return new Builder(image);
    }

    /** True if {@code qemu-nbd} is on the PATH. */
    public static boolean available() {
        return onPath("qemu-nbd");
    }

    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    public SocketAddress address() {
        return address;
    }

    /** The unix socket, or null when serving TCP. */
    public Path socket() {
        return address instanceof UnixDomainSocketAddress u ? u.getPath() : null;
    }

    public String exportName() {
        return exportName;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Connects to this server's export, selecting {@code metaContexts}. */
    public NbdClient connect(String... metaContexts) throws IOException {
        return NbdClient.connect(address, NbdConnectOptions.export(exportName).withMetaContexts(metaContexts));
    }

    /** What qemu-nbd printed so far. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGKILL, as a crash would; for tests of a server dying mid-transfer. */
    public void kill() throws InterruptedIOException {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(10));
    }

    /** SIGTERM (SIGKILL after 5 s), then removes the socket directory. */
    @Override
    public void close() throws IOException {
        process.destroy();
        if (!waitFor(Duration.ofSeconds(5))) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(5));
        }
        if (ownsDirectory) {
            deleteTree(directory);
        }
    }

    private boolean waitFor(Duration d) throws InterruptedIOException {
        try {
            return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while stopping qemu-nbd");
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    public static final class Builder {
        private final Path image;
        private String format = "qcow2";
        private boolean readOnly;
        private String bitmap;
        private String exportName = "";
        private boolean persistent = true;
        private int shared = 1;
        private String tcpHost;
        private int tcpPort;
        private Path socketDirectory;
        private Duration startTimeout = Duration.ofSeconds(15);
        private String executable = "qemu-nbd";
        private final List<String> extraArgs = new ArrayList<>();

        private Builder(Path image) {
            this.image = Objects.requireNonNull(image, "image");
        }

        /** Image format ({@code qcow2}, {@code raw}); qcow2 by default. */
        public Builder format(String value) {
            format = Objects.requireNonNull(value);
            return this;
        }

        public Builder readOnly(boolean value) {
            readOnly = value;
            return this;
        }

        /** Export the persistent dirty bitmap {@code name} as {@code qemu:dirty-bitmap:NAME}. */
        public Builder bitmap(String name) {
            bitmap = name;
            return this;
        }

        public Builder exportName(String value) {
            exportName = Objects.requireNonNull(value);
            return this;
        }

        /** Keep serving after the last client leaves (default true; qemu-nbd's own default is false). */
        public Builder persistent(boolean value) {
            persistent = value;
            return this;
        }

        /** How many clients may connect at once (qemu-nbd {@code --shared}). */
        public Builder shared(int clients) {
            if (clients < 1) {
                throw new IllegalArgumentException("shared must be at least 1");
            }
            shared = clients;
            return this;
        }

        /** Serve on TCP instead of a unix socket. */
        public Builder tcp(String host, int port) {
            tcpHost = Objects.requireNonNull(host);
            tcpPort = port;
            return this;
        }

        /** Where the unix socket goes; by default a fresh temporary directory, removed on close. */
        public Builder socketDirectory(Path dir) {
            socketDirectory = dir;
            return this;
        }

        public Builder startTimeout(Duration value) {
            startTimeout = Objects.requireNonNull(value);
            return this;
        }

        public Builder executable(String value) {
            executable = Objects.requireNonNull(value);
            return this;
        }

        /** Further qemu-nbd options, e.g. {@code --cache=none}. */
        public Builder extraArgs(String... args) {
            extraArgs.addAll(List.of(args));
            return this;
        }

        public QemuNbdServer start() throws IOException {
            if (!Files.isRegularFile(image) && !Files.exists(image)) {
                throw new IOException("image '" + image + "' does not exist");
            }
            boolean owns = socketDirectory == null;
            Path dir = owns ? Files.createTempDirectory("backpoint-qemu-nbd-") : socketDirectory;
            Path pidFile = dir.resolve("qemu-nbd.pid");
            Path log = dir.resolve("qemu-nbd.log");
            Files.deleteIfExists(pidFile);
            List<String> cmd = new ArrayList<>();
            cmd.add(executable);
            cmd.add("--format=" + format);
            if (readOnly) {
                cmd.add("--read-only");
            }
            if (bitmap != null) {
                cmd.add("--bitmap=" + bitmap);
            }
            cmd.add("--export-name=" + exportName);
            if (persistent) {
                cmd.add("--persistent");
            }
            cmd.add("--shared=" + shared);
            cmd.add("--pid-file=" + pidFile);
            SocketAddress address;
            if (tcpHost != null) {
                cmd.add("--bind=" + tcpHost);
                cmd.add("--port=" + tcpPort);
                address = new InetSocketAddress(tcpHost, tcpPort);
            } else {
                Path socket = dir.resolve("nbd.sock");
                cmd.add("--socket=" + socket);
                address = UnixDomainSocketAddress.of(socket);
            }
            cmd.addAll(extraArgs);
            cmd.add(image.toAbsolutePath().toString());
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            } catch (IOException e) {
                if (owns) {
                    Files.deleteIfExists(log);
                    Files.deleteIfExists(dir);
                }
                throw new IOException("cannot run '" + executable + "': " + e.getMessage(), e);
            }
            QemuNbdServer server = new QemuNbdServer(p, dir, owns, log, address, exportName);
            long deadline = System.nanoTime() + startTimeout.toNanos();
            try {
                while (!ready(pidFile)) {
                    if (!p.isAlive()) {
                        String out = server.output();
                        server.close();
                        throw new IOException("qemu-nbd exited with status " + p.exitValue()
                                + (out.isEmpty() ? "" : ": " + out));
                    }
                    if (System.nanoTime() > deadline) {
                        server.close();
                        throw new IOException("qemu-nbd did not start within " + startTimeout.toMillis() + " ms");
                    }
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                server.close();
                throw new InterruptedIOException("interrupted while starting qemu-nbd");
            }
            return server;
        }

        private static boolean ready(Path pidFile) {
            try {
                return Files.size(pidFile) > 0 && Files.readString(pidFile).strip().matches("\\d+");
            } catch (IOException e) {
                return false;
            }
        }
    }
}
