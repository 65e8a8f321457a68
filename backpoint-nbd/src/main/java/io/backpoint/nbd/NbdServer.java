package io.backpoint.nbd;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A read-only NBD server (fixed newstyle, structured replies, {@code base:allocation}) for a set
 * of {@link NbdExport}s, on a unix socket or a TCP address. Any number of clients, each with
 * several requests in flight; no TLS. {@link #close()} stops it and removes its socket file.
 */
public final class NbdServer implements AutoCloseable {
    private final NbdEndpoint endpoint;
    private final ServerSocketChannel listener;
    private final Map<String, NbdExport> exports;
    private final Consumer<String> log;
    private final ExecutorService workers;
    private final Set<ServerConnection> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean closed;

    private NbdServer(NbdEndpoint endpoint, ServerSocketChannel listener, Map<String, NbdExport> exports,
            Consumer<String> log) {
        this.endpoint = endpoint;
        this.listener = listener;
        this.exports = exports;
        this.log = log;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> daemon(r, "nbd-server-worker-" + n.incrementAndGet()));
        this.acceptor = daemon(this::acceptLoop, "nbd-server-accept " + endpoint);
    }

    /**
     * Starts serving {@code exports} at {@code endpoint}. A unix socket is created with mode 0600
     * (bound in a private directory, then renamed into place, so no other user can ever connect) and must not
     * exist yet. {@code log} receives one line per failed request or connection.
     */
    public static NbdServer start(NbdEndpoint endpoint, List<? extends NbdExport> exports, Consumer<String> log)
            throws IOException {
        Map<String, NbdExport> byName = new LinkedHashMap<>();
        for (NbdExport e : exports) {
            if (byName.put(e.name(), e) != null) {
                throw new IllegalArgumentException("two exports named '" + e.name() + "'");
            }
        }
        ServerSocketChannel listener;
        NbdEndpoint bound;
        if (endpoint.isUnix()) {
            listener = bindUnix(endpoint.socket());
            bound = endpoint;
        } else {
            listener = ServerSocketChannel.open();
            try {
                listener.bind(endpoint.tcp());
            } catch (IOException e) {
                listener.close();
                throw e;
            }
            bound = NbdEndpoint.tcp((java.net.InetSocketAddress) listener.getLocalAddress());
        }
        NbdServer server = new NbdServer(bound, listener, java.util.Collections.unmodifiableMap(byName), log);
        server.acceptor.start();
        return server;
    }

    private static ServerSocketChannel bindUnix(Path socket) throws IOException {
        if (Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(socket.toString(), null,
                    "already exists; if no server uses it any more, remove it");
        }
        // Bound inside a private directory beside the target, made 0600, then renamed into place:
        // no other user can connect in between, even in a shared directory such as /tmp.
        Path parent = socket.toAbsolutePath().getParent();
        Path privateDir = Files.createTempDirectory(parent, "." + socket.getFileName() + ".",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path temp = privateDir.resolve("s");
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listener.bind(UnixDomainSocketAddress.of(temp));
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            Files.move(temp, socket, StandardCopyOption.ATOMIC_MOVE);
            return listener;
        } catch (IOException e) {
            listener.close();
            Files.deleteIfExists(temp);
            throw e;
        } finally {
            Files.deleteIfExists(privateDir);
        }
    }

    public NbdEndpoint endpoint() {
        return endpoint;
    }

    /** The export names, in the order given. */
    public List<String> exportNames() {
        return List.copyOf(exports.keySet());
    }

    /** Connections accepted so far (for tests and progress). */
    public int connectionsAccepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.accept("nbd: accept failed: " + e.getMessage());
                }
                return;
            }
            int id = accepted.incrementAndGet();
            String peer = "#" + id;
            ServerConnection[] self = new ServerConnection[1];
            ServerConnection connection = new ServerConnection(channel, exports, workers, log, peer,
                    () -> connections.remove(self[0]));
            self[0] = connection;
            connections.add(connection);
            if (closed) {
                connection.close();
            }
            daemon(connection, "nbd-server-connection " + peer).start();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        connections.forEach(ServerConnection::close);
        workers.shutdown();
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (endpoint.isUnix()) {
            try {
                Files.deleteIfExists(endpoint.socket());
            } catch (IOException e) {
                log.accept("nbd: cannot remove socket " + endpoint.socket() + ": " + e.getMessage());
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
