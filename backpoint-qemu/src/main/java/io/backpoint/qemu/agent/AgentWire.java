package io.backpoint.qemu.agent;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Bytes to and from the agent's socket, every read bounded by a deadline. The agent protocol
 * has no ids and no greeting; the only framing is one JSON object per line and the 0xFF byte
 * that starts the reply to {@code guest-sync-delimited}. Non-blocking I/O with a selector,
 * because a blocking channel read cannot time out.
 */
final class AgentWire implements Closeable {
    /** Longest reply accepted (guest-exec output is the big one, base64 of at most a few MB). */
    static final int MAX_LINE = 16 * 1024 * 1024;

    private final Path socket;
    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);

    private AgentWire(Path socket, SocketChannel channel, Selector selector) {
        this.socket = socket;
        this.channel = channel;
        this.selector = selector;
        in.flip();
    }

    static AgentWire connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            Selector sel = Selector.open();
            ch.register(sel, SelectionKey.OP_READ);
            return new AgentWire(socket, ch, sel);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw new IOException("cannot connect to the guest agent at '" + socket + "': " + e.getMessage(), e);
        }
    }

    Path socket() {
        return socket;
    }

    void send(byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            // The socket buffer takes a few bytes of command at once; a full buffer means QEMU
            // stopped reading, which the next read's deadline reports.
            if (channel.write(buf) == 0) {
                Thread.onSpinWait();
            }
        }
    }

    /** Discards bytes up to and including the next 0xFF. */
    void skipToDelimiter(long deadline, String waitingFor) throws IOException {
        while (true) {
            while (in.hasRemaining()) {
                if (in.get() == (byte) 0xFF) {
                    return;
                }
            }
            fill(deadline, waitingFor);
        }
    }

    /** The next line, without its newline. */
    byte[] readLine(long deadline, String waitingFor) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (b == '\n') {
                    return line.toByteArray();
                }
                if (line.size() >= MAX_LINE) {
                    throw new IOException("guest agent sent a line longer than " + MAX_LINE + " bytes");
                }
                line.write(b);
            }
            fill(deadline, waitingFor);
        }
    }

    private void fill(long deadline, String waitingFor) throws IOException {
        in.clear();
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new AgentTimeoutException("the guest agent did not answer " + waitingFor + " in time");
                }
                selector.select(left);
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted waiting for the guest agent");
                }
                selector.selectedKeys().clear();
                int n = channel.read(in);
                if (n < 0) {
                    throw new IOException("the guest agent's socket closed (QEMU went away) while waiting for " + waitingFor);
                }
                if (n > 0) {
                    return;
                }
            }
        } finally {
            in.flip();
        }
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            // nothing held
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closing is all we wanted
        }
    }
}
