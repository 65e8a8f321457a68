package io.backpoint.repo.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP forwarder in front of a real server, which a test can cut and restore: the way to
 * make a real S3 server "go away" in the middle of a run without stopping it for everyone.
 */
public final class TcpProxy implements AutoCloseable {
    private final int targetPort;
    private final int port;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocket listener;
    private final AtomicLong upstream = new AtomicLong();
    private volatile long cutAfter = Long.MAX_VALUE;

    public TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            this.port = probe.getLocalPort();
        }
        start();
    }

    public int port() {
        return port;
    }

    /** Accepts and forwards connections again, on the same port. */
    public synchronized void start() throws IOException {
        if (listener != null) {
            return;
        }
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        listener = socket;
        Thread acceptor = new Thread(() -> accept(socket), "tcp-proxy-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Refuses new connections and cuts every open one, as a server that died would. */
    public synchronized void stop() throws IOException {
        if (listener != null) {
            listener.close();
            listener = null;
        }
        for (Socket socket : open) {
            socket.close();
        }
        open.clear();
    }

    /**
     * Cuts (as {@link #stop()}) once {@code bytes} more bytes went from clients to the server: a
     * server that dies in the middle of a run of uploads, at a point the test chooses by volume.
     */
    public void stopAfterUpload(long bytes) {
        cutAfter = upstream.get() + bytes;
    }

    /** Bytes forwarded from clients to the server so far. */
    public long uploaded() {
        return upstream.get();
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                open.add(client);
                open.add(server);
                pipe(client, server, true);
                pipe(server, client, false);
            } catch (IOException e) {
                // Listener closed by stop(), or the target refused: the client sees a reset.
            }
        }
    }

    private void pipe(Socket from, Socket to, boolean toServer) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (toServer && upstream.addAndGet(n) > cutAfter) {
                        cutAfter = Long.MAX_VALUE;
                        stop();
                        return;
                    }
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // One side closed; closing both ends the other direction too.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pipe");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Already closed.
        }
    }
}
