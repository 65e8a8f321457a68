package io.backpoint.nbd;

import static io.backpoint.nbd.NbdProtocol.*;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The transmission phase: requests go out under one write lock, replies come back on a reader
 * thread that matches them to requests by cookie, so any number of requests may be in flight.
 * A watchdog drops the connection when the server stays silent for the timeout while we wait
 * for it, so nothing blocks forever. Any protocol violation drops the connection and fails
 * every request in flight; a server error fails only its request.
 */
final class NbdConnection implements AutoCloseable {
    private static final AtomicLong IDS = new AtomicLong();
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "nbd-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final SocketChannel channel;
    private final Wire wire;
    private final Duration timeout;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Map<Long, PendingRequest> pending = new ConcurrentHashMap<>();
    private final AtomicLong cookies = new AtomicLong(1);
    private final AtomicReference<NbdException> failure = new AtomicReference<>();
    private final ScheduledFuture<?> watchdog;
    private volatile boolean handshaking = true;
    private volatile boolean closing;

    private Handshake.Result negotiated;
    private Map<Integer, String> contextNames = Map.of();
    private Thread reader;

    private NbdConnection(SocketChannel channel, Duration timeout) {
        this.channel = channel;
        this.wire = new Wire(channel);
        this.timeout = timeout;
        long period = Math.max(10, Math.min(1000, timeout.toMillis() / 4));
        this.watchdog = WATCHDOG.scheduleWithFixedDelay(this::checkStall, period, period, TimeUnit.MILLISECONDS);
    }

    static NbdConnection open(SocketAddress address, NbdConnectOptions options) throws IOException {
        SocketChannel channel;
        if (address instanceof UnixDomainSocketAddress) {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } else if (address instanceof InetSocketAddress) {
            channel = SocketChannel.open();
        } else {
            throw new IllegalArgumentException("unsupported address type: " + address);
        }
        NbdConnection c = new NbdConnection(channel, options.timeout());
        try {
            channel.connect(address);
            if (address instanceof InetSocketAddress) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            c.wire.touch();
            c.negotiated = new Handshake(c.wire).run(options);
        } catch (IOException | RuntimeException e) {
            NbdException f = c.failure.get();
            c.fail(e instanceof NbdException n ? n : NbdException.closed(
                    "cannot connect to NBD server " + address + ": " + e.getMessage(), e));
            throw f != null ? f : c.failure.get();
        }
        Map<Integer, String> names = new HashMap<>();
        c.negotiated.contexts().forEach((name, id) -> names.put(id, name));
        c.contextNames = Map.copyOf(names);
        c.handshaking = false;
        c.reader = new Thread(c::readLoop, "nbd-reader-" + IDS.incrementAndGet());
        c.reader.setDaemon(true);
        c.reader.start();
        return c;
    }

    ExportInfo export() {
        return negotiated.export();
    }

    boolean structuredReplies() {
        return negotiated.structuredReplies();
    }

    Map<String, Integer> contexts() {
        return negotiated.contexts();
    }

    /** The failure that closed the connection, or null while it is usable. */
    NbdException failure() {
        return failure.get();
    }

    int inFlight() {
        return pending.size();
    }

    /**
     * Sends one request. {@code payload} (WRITE) is sent after the header; {@code target}
     * (READ) receives the data. The future completes on the reader thread.
     */
    CompletableFuture<Object> submit(int command, int flags, long offset, long length,
            ByteBuffer payload, ByteBuffer target) {
        NbdException f = failure.get();
        if (f != null) {
            return CompletableFuture.failedFuture(f);
        }
        long cookie = cookies.getAndIncrement();
        PendingRequest r = new PendingRequest(cookie, command, offset, length, target);
        // Waiting starts now: after a long idle spell the watchdog must not count the idle time.
        wire.touch();
        pending.put(cookie, r);
        // fail() sets the failure before draining; checking again after registering means a
        // request can never be left behind in the map of a dead connection.
        f = failure.get();
        if (f != null && pending.remove(cookie) != null) {
            r.future.completeExceptionally(f);
            return r.future;
        }
        ByteBuffer header = ByteBuffer.allocate(28)
                .putInt(REQUEST_MAGIC).putShort((short) flags).putShort((short) command)
                .putLong(cookie).putLong(offset).putInt((int) length).flip();
        writeLock.lock();
        try {
            if (payload != null) {
                wire.writeFully(header, payload);
            } else {
                wire.writeFully(header);
            }
        } catch (IOException e) {
            fail(failure.get() != null ? failure.get()
                    : NbdException.closed("sending " + r.describe() + " failed: " + e.getMessage(), e));
        } finally {
            writeLock.unlock();
        }
        return r.future;
    }

    /** Soft disconnect: waits (up to the timeout) for requests in flight, then NBD_CMD_DISC. */
    @Override
    public void close() {
        if (failure.get() == null) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!pending.isEmpty() && failure.get() == null && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            closing = true;
            writeLock.lock();
            try {
                if (failure.get() == null) {
                    wire.writeFully(ByteBuffer.allocate(28).putInt(REQUEST_MAGIC).putShort((short) 0)
                            .putShort((short) CMD_DISC).putLong(cookies.getAndIncrement())
                            .putLong(0).putInt(0).flip());
                }
            } catch (IOException ignored) {
                // Closing anyway.
            } finally {
                writeLock.unlock();
            }
        }
        closing = true;
        fail(NbdException.closed("connection closed", null));
        Thread t = reader;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void checkStall() {
        if (failure.get() != null) {
            return;
        }
        boolean waiting = handshaking || !pending.isEmpty();
        if (waiting && System.nanoTime() - wire.lastActivity() > timeout.toNanos()) {
            fail(NbdException.closed("NBD server did not respond within " + timeout.toMillis()
                    + " ms; connection dropped", null));
        }
    }

    /** Drops the connection: the first cause wins and every request in flight fails with it. */
    private void fail(NbdException cause) {
        failure.compareAndSet(null, cause);
        watchdog.cancel(false);
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing more to do with a dead socket.
        }
        NbdException f = failure.get();
        for (Long cookie : new ArrayList<>(pending.keySet())) {
            PendingRequest r = pending.remove(cookie);
            if (r != null) {
                r.future.completeExceptionally(f);
            }
        }
    }

    private void readLoop() {
        try {
            while (true) {
                int magic = wire.readInt();
                if (magic == SIMPLE_REPLY_MAGIC) {
                    simpleReply();
                } else if (magic == STRUCTURED_REPLY_MAGIC) {
                    structuredChunk();
                } else {
                    throw NbdException.protocol(String.format("bad reply magic 0x%08x", magic));
                }
            }
        } catch (NbdException e) {
            fail(e);
        } catch (EOFException e) {
            fail(NbdException.closed(closing ? "connection closed" : "server closed the connection", e));
        } catch (ClosedChannelException e) {
            fail(NbdException.closed("connection closed", e));
        } catch (IOException | RuntimeException e) {
            fail(NbdException.closed("connection failed: " + e.getMessage(), e));
        }
    }

    private PendingRequest lookup(long cookie) throws NbdException {
        PendingRequest r = pending.get(cookie);
        if (r == null) {
            throw NbdException.protocol("reply for unknown cookie " + Long.toUnsignedString(cookie));
        }
        return r;
    }

    private void simpleReply() throws IOException {
        ByteBuffer b = wire.read(12);
        int error = b.getInt();
        long cookie = b.getLong();
        PendingRequest r = lookup(cookie);
        if (error != 0) {
            complete(r, serverError(r, error, ""));
            return;
        }
        if (r.command == CMD_READ) {
            if (structuredReplies()) {
                throw NbdException.protocol("simple reply with data to " + r.describe()
                        + " although structured replies were negotiated");
            }
            wire.readFully(r.target.duplicate().limit(r.target.position() + (int) r.length));
        } else if (r.command == CMD_BLOCK_STATUS) {
            throw NbdException.protocol("simple reply to " + r.describe());
        }
        complete(r, null);
    }

    private void structuredChunk() throws IOException {
        if (!structuredReplies()) {
            throw NbdException.protocol("structured reply chunk although structured replies were not negotiated");
        }
        ByteBuffer b = wire.read(16);
        int flags = b.getShort() & 0xffff;
        int type = b.getShort() & 0xffff;
        long cookie = b.getLong();
        long length = b.getInt() & 0xffffffffL;
        PendingRequest r = lookup(cookie);
        switch (type) {
            case REPLY_TYPE_NONE -> {
                if (length != 0 || (flags & REPLY_FLAG_DONE) == 0) {
                    throw NbdException.protocol("NBD_REPLY_TYPE_NONE with length " + length + " or without DONE");
                }
            }
            case REPLY_TYPE_OFFSET_DATA -> offsetData(r, length);
            case REPLY_TYPE_OFFSET_HOLE -> offsetHole(r, length);
            case REPLY_TYPE_BLOCK_STATUS -> blockStatus(r, length);
            default -> {
                if ((type & REPLY_TYPE_ERROR_BIT) == 0) {
                    throw NbdException.protocol("unknown structured reply type " + type + " for " + r.describe());
                }
                errorChunk(r, type, length);
            }
        }
        if ((flags & REPLY_FLAG_DONE) != 0) {
            finish(r);
        }
    }

    private void offsetData(PendingRequest r, long length) throws IOException {
        if (r.command != CMD_READ) {
            throw NbdException.protocol("data chunk in reply to " + r.describe());
        }
        if (length < 9 || length - 8 > r.length) {
            throw NbdException.protocol("data chunk of " + length + " bytes for " + r.describe());
        }
        long at = wire.readLong();
        long len = length - 8;
        if (!r.inside(at, len) || !r.fill(at, len)) {
            throw NbdException.protocol("data chunk at offset " + Long.toUnsignedString(at) + " length " + len
                    + " outside or overlapping earlier chunks of " + r.describe());
        }
        int pos = r.target.position() + (int) (at - r.offset);
        wire.readFully(r.target.duplicate().limit(pos + (int) len).position(pos));
    }

    private void offsetHole(PendingRequest r, long length) throws IOException {
        if (r.command != CMD_READ || length != 12) {
            throw NbdException.protocol("hole chunk of length " + length + " in reply to " + r.describe());
        }
        ByteBuffer b = wire.read(12);
        long at = b.getLong();
        long len = b.getInt() & 0xffffffffL;
        if (len == 0 || !r.inside(at, len) || !r.fill(at, len)) {
            throw NbdException.protocol("hole at offset " + Long.toUnsignedString(at) + " length " + len
                    + " outside or overlapping earlier chunks of " + r.describe());
        }
        int pos = r.target.position() + (int) (at - r.offset);
        ByteBuffer dst = r.target.duplicate().limit(pos + (int) len).position(pos);
        while (dst.hasRemaining()) {
            dst.put((byte) 0);
        }
    }

    private void blockStatus(PendingRequest r, long length) throws IOException {
        if (r.command != CMD_BLOCK_STATUS) {
            throw NbdException.protocol("block status chunk in reply to " + r.describe());
        }
        if (length < 12 || (length - 4) % 8 != 0 || length > MAX_STATUS_CHUNK) {
            throw NbdException.protocol("block status chunk of " + length + " bytes for " + r.describe());
        }
        ByteBuffer b = ByteBuffer.allocate((int) length);
        wire.readFully(b);
        b.flip();
        int id = b.getInt();
        if (!contextNames.containsKey(id)) {
            throw NbdException.protocol("block status for unknown metadata context id " + id);
        }
        if (r.status.containsKey(id)) {
            throw NbdException.protocol("two block status chunks for context '" + contextNames.get(id) + "'");
        }
        List<Extent> extents = new ArrayList<>((b.remaining()) / 8);
        long at = r.offset;
        while (b.hasRemaining()) {
            long len = b.getInt() & 0xffffffffL;
            int flags = b.getInt();
            if (len == 0) {
                throw NbdException.protocol("zero-length extent in block status for " + r.describe());
            }
            if (at - r.offset >= r.length) {
                // Only the last extent may reach past the requested range.
                throw NbdException.protocol("block status extents run past the end of " + r.describe());
            }
            extents.add(new Extent(at, len, flags));
            at += len;
        }
        r.status.put(id, Collections.unmodifiableList(extents));
    }

    private void errorChunk(PendingRequest r, int type, long length) throws IOException {
        int fixed = type == REPLY_TYPE_ERROR_OFFSET ? 14 : 6;
        if (length < fixed || length > MAX_ERROR_CHUNK) {
            throw NbdException.protocol("error chunk of " + length + " bytes for " + r.describe());
        }
        ByteBuffer b = ByteBuffer.allocate((int) length);
        wire.readFully(b);
        b.flip();
        int error = b.getInt();
        int messageLength = b.getShort() & 0xffff;
        if (messageLength > length - fixed) {
            throw NbdException.protocol("error message of " + messageLength + " bytes in a chunk of " + length);
        }
        byte[] message = new byte[messageLength];
        b.get(message);
        String text = Handshake.printable(Wire.utf8(message));
        if (type == REPLY_TYPE_ERROR_OFFSET) {
            text = (text.isEmpty() ? "" : text + " ") + "(at offset " + Long.toUnsignedString(b.getLong()) + ")";
        }
        if (error == 0) {
            throw NbdException.protocol("error chunk with error number 0 for " + r.describe());
        }
        if (r.error == null) {
            r.error = serverError(r, error, text);
        }
    }

    private void finish(PendingRequest r) throws NbdException {
        if (r.error != null) {
            complete(r, r.error);
            return;
        }
        if (r.command == CMD_READ && r.filledBytes() != r.length) {
            throw NbdException.protocol("server reported success for " + r.describe()
                    + " after sending only " + r.filledBytes() + " bytes");
        }
        if (r.command == CMD_BLOCK_STATUS) {
            if (r.status.isEmpty()) {
                throw NbdException.protocol("no block status chunk in reply to " + r.describe());
            }
            Map<String, List<Extent>> byName = new HashMap<>();
            r.status.forEach((id, list) -> byName.put(contextNames.get(id), list));
            complete(r, Map.copyOf(byName));
            return;
        }
        complete(r, null);
    }

    private void complete(PendingRequest r, Object result) {
        if (pending.remove(r.cookie) == null) {
            return;
        }
        if (result instanceof NbdException e) {
            r.future.completeExceptionally(e);
        } else {
            r.future.complete(r.command == CMD_READ ? r.target : result);
        }
    }

    private static NbdException serverError(PendingRequest r, int error, String text) {
        NbdError e = NbdError.fromCode(error);
        return NbdException.server(error, r.describe() + " failed: " + e.name() + " (" + e.description() + ")"
                + (text.isEmpty() ? "" : ": " + text));
    }
}
