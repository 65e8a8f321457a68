package io.backpoint.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Blocking reads and writes of big-endian fields on the socket. It remembers when bytes last
 * moved, which is what the connection's watchdog looks at to tell a slow server from a dead one.
 */
final class Wire {
    private final SocketChannel channel;
    private final ByteBuffer small = ByteBuffer.allocateDirect(64);
    private volatile long lastActivity = System.nanoTime();

    Wire(SocketChannel channel) {
        this.channel = channel;
    }

    long lastActivity() {
        return lastActivity;
    }

    void touch() {
        lastActivity = System.nanoTime();
    }

    /** Fills {@code dst} from its position to its limit. */
    void readFully(ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst);
            if (n < 0) {
                throw new EOFException("server closed the connection");
            }
            lastActivity = System.nanoTime();
        }
    }

    /** Reads {@code n} (at most 64) bytes into the scratch buffer, ready to be read. */
    ByteBuffer read(int n) throws IOException {
        small.clear().limit(n);
        readFully(small);
        return small.flip();
    }

    long readLong() throws IOException {
        return read(8).getLong();
    }

    int readInt() throws IOException {
        return read(4).getInt();
    }

    int readUnsignedShort() throws IOException {
        return read(2).getShort() & 0xffff;
    }

    byte[] readBytes(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        readFully(b);
        return b.array();
    }

    /** Discards {@code n} bytes. */
    void skip(long n) throws IOException {
        ByteBuffer scratch = ByteBuffer.allocate((int) Math.min(n, 8192));
        while (n > 0) {
            scratch.clear().limit((int) Math.min(n, scratch.capacity()));
            readFully(scratch);
            n -= scratch.limit();
        }
    }

    void writeFully(ByteBuffer... buffers) throws IOException {
        long remaining = 0;
        for (ByteBuffer b : buffers) {
            remaining += b.remaining();
        }
        while (remaining > 0) {
            long n = channel.write(buffers);
            remaining -= n;
            if (n > 0) {
                lastActivity = System.nanoTime();
            }
        }
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
