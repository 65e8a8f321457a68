package io.backpoint.cli.repository;

import io.backpoint.cli.shell.*;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.nbd.NbdEndpoint;
import io.backpoint.repo.Repository;
import io.backpoint.repo.Snapshot;
import io.backpoint.repo.SnapshotServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** serve: the disks of a snapshot as read-only NBD exports, until interrupted. */
final class ServeCommand implements Command {
    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String summary() {
        return "serve the disks of a snapshot read-only over NBD";
    }

    @Override
    public String description() {
        return "Serves each disk of SNAPSHOT (an id, latest or DOMAIN:latest) as a read-only NBD export named after "
                + "the disk, on a unix socket (--socket, default a new private directory) or a loopback TCP address "
                + "(--tcp 127.0.0.1:PORT). Chunks are fetched, verified and cached on demand; a damaged chunk fails "
                + "the read with EIO and is named on standard error. Runs until Ctrl-C or SIGTERM, then removes its "
                + "socket. The repository is not changed; gc waits while a snapshot is served.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(RepoOptions.repo(),
                OptionDef.data("snapshot", "the snapshot: an id, latest or DOMAIN:latest"),
                new OptionDef("disk", OptionDef.Kind.ARGV, false, false, "serve only this disk (may repeat)"),
                OptionDef.named("socket", "listen on this unix socket (must not exist)"),
                OptionDef.named("tcp", "listen on HOST:PORT instead, a loopback address unless --allow-remote"),
                OptionDef.bool("allow-remote", "allow --tcp on a non-loopback address (no authentication!)"),
                OptionDef.named("cache", "chunk cache size, e.g. 64M (the default) or 0"));
    }

    @Override
    public boolean needsConnection() {
        return false;
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        args.exclusive("socket", "tcp");
        args.requires("allow-remote", "tcp");
        long cache = args.has("cache") ? RepoOptions.size(args.get("cache")) : SnapshotServer.DEFAULT_CACHE_BYTES;
        Path privateDir = null;
        NbdEndpoint endpoint;
        if (args.has("tcp")) {
            endpoint = NbdEndpoint.tcp(tcpAddress(args.get("tcp")));
        } else if (args.has("socket")) {
            endpoint = NbdEndpoint.unix(shell.path(args.get("socket")));
        } else {
            privateDir = Files.createTempDirectory("backpoint-serve-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            endpoint = NbdEndpoint.unix(privateDir.resolve("nbd.sock"));
        }
        try (Repository repository = RepoOptions.open(shell, args)) {
            Snapshot snapshot = repository.snapshot(args.get("snapshot"));
            CountDownLatch stop = new CountDownLatch(1);
            try (SnapshotServer server = SnapshotServer.start(repository, snapshot, args.all("disk"), endpoint, cache,
                    args.has("allow-remote"), line -> shell.err().println(line))) {
                // SIGTERM runs shutdown hooks: the server closes there, removing its socket.
                Thread hook = new Thread(() -> {
                    server.close();
                    stop.countDown();
                }, "serve-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                try (InterruptHandler handler = InterruptHandler.install(stop::countDown)) {
                    shell.out().println("Serving snapshot " + server.snapshot().id() + " of '"
                            + server.snapshot().domain() + "' read-only on " + server.endpoint());
                    for (String disk : server.exports()) {
                        shell.out().println("  " + disk + "  " + server.uri(disk));
                    }
                    shell.out().println("Press Ctrl-C to stop.");
                    shell.out().flush();
                    stop.await();
                } finally {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException e) {
                        // already shutting down: the hook does the closing
                    }
                }
            }
            shell.out().println("Stopped serving snapshot " + snapshot.id());
        } finally {
            if (privateDir != null) {
                Files.deleteIfExists(privateDir.resolve("nbd.sock"));
                Files.deleteIfExists(privateDir);
            }
        }
        return true;
    }

    /** HOST:PORT or [V6]:PORT. */
    static InetSocketAddress tcpAddress(String text) {
        int colon = text.lastIndexOf(':');
        String host = colon > 0 ? text.substring(0, colon) : "";
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (host.isEmpty() || port < 0 || port > 65535) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "--tcp takes HOST:PORT, e.g. 127.0.0.1:10809, not '%s'", text);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "--tcp: unknown host '%s'", host);
        }
    }
}
