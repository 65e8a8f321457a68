package io.backpoint.nbd;

import static io.backpoint.nbd.NbdProtocol.*;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * One client of {@link NbdServer}: the handshake, then requests read on this thread and answered
 * on the server's workers, so several requests of one client are served at once. Replies go out
 * whole under a lock, in whatever order they finish (the cookie tells them apart).
 */
final class ServerConnection implements Runnable {
    /** Bytes of reads in flight per connection, in KiB permits: bounds memory per client. */
    private static final int IN_FLIGHT_KIB = 64 << 10;

    private final SocketChannel channel;
    private final Wire wire;
    private final Map<String, NbdExport> exports;
    private final Executor workers;
    private final Consumer<String> log;
    private final Runnable onClose;
    private final Object writeLock = new Object();
    private final Semaphore budget = new Semaphore(IN_FLIGHT_KIB);
    private final String peer;
    private NbdExport export;
    private boolean structured;
    private boolean allocation;

    ServerConnection(SocketChannel channel, Map<String, NbdExport> exports, Executor workers,
            Consumer<String> log, String peer, Runnable onClose) {
        this.channel = channel;
        this.wire = new Wire(channel);
        this.exports = exports;
        this.workers = workers;
        this.log = log;
        this.peer = peer;
        this.onClose = onClose;
    }

    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void run() {
        try {
            ServerHandshake.Result result = new ServerHandshake(wire, exports).run();
            if (result == null) {
                return;
            }
            export = result.export();
            structured = result.structuredReplies();
            allocation = result.allocationContext();
            transmission();
        } catch (EOFException | ClosedChannelException e) {
            // the client went away
        } catch (IOException e) {
            if (channel.isOpen()) {
                log.accept("nbd: connection " + peer + " failed: " + e.getMessage());
            }
        } finally {
            budget.acquireUninterruptibly(IN_FLIGHT_KIB); // every reply written (or failed)
            close();
            onClose.run();
        }
    }

    private void transmission() throws IOException {
        while (true) {
            ByteBuffer header = wire.read(28);
            int magic = header.getInt();
            int flags = header.getShort() & 0xffff;
            int type = header.getShort() & 0xffff;
            long cookie = header.getLong();
            long offset = header.getLong();
            long length = Integer.toUnsignedLong(header.getInt());
            if (magic != REQUEST_MAGIC) {
                log.accept("nbd: connection " + peer + ": bad request magic, closing");
                return;
            }
            switch (type) {
                case CMD_DISC -> {
                    return;
                }
                case CMD_WRITE -> {
                    // The payload follows whatever the answer: consume it to stay in step.
                    if (length > MAX_PAYLOAD) {
                        log.accept("nbd: connection " + peer + ": write of " + length + " bytes, closing");
                        return;
                    }
                    wire.skip(length);
                    error(cookie, NbdError.EPERM, "the export is read-only");
                }
                case CMD_TRIM, CMD_WRITE_ZEROES -> error(cookie, NbdError.EPERM, "the export is read-only");
                case CMD_FLUSH, CMD_CACHE -> simple(cookie, 0); // nothing buffered, nothing to prefetch
                case CMD_READ -> {
                    if (!inRange(cookie, offset, length, true)) {
                        continue;
                    }
                    int permits = (int) Math.max(1, length >> 10);
                    budget.acquireUninterruptibly(permits);
                    dispatch(permits, () -> read(cookie, flags, offset, (int) length));
                }
                case CMD_BLOCK_STATUS -> {
                    if (!allocation) {
                        error(cookie, NbdError.EINVAL, "no metadata context was negotiated");
                    } else if (inRange(cookie, offset, length, false)) {
                        budget.acquireUninterruptibly(1);
                        dispatch(1, () -> blockStatus(cookie, flags, offset, length));
                    }
                }
                default -> error(cookie, NbdError.EINVAL, "unknown command " + type);
            }
        }
    }

    private interface Task {
        void run() throws IOException;
    }

    private void dispatch(int permits, Task task) throws ClosedChannelException {
        try {
            workers.execute(() -> {
                try {
                    task.run();
                } catch (IOException e) {
                    closeAfter(e);
                } finally {
                    budget.release(permits);
                }
            });
        } catch (RejectedExecutionException e) {
            // The server is closing: give the permits back, or run()'s final wait for every
            // reply would never return and this thread would hang.
            budget.release(permits);
            throw new ClosedChannelException();
        }
    }

    private boolean inRange(long cookie, long offset, long length, boolean read) throws IOException {
        if (read && length > MAX_PAYLOAD) {
            error(cookie, NbdError.EINVAL, "request of " + length + " bytes exceeds the 32 MiB maximum");
            return false;
        }
        if (!read && length == 0) {
            error(cookie, NbdError.EINVAL, "zero-length block status request");
            return false;
        }
        if (offset < 0 || offset > export.size() || length > export.size() - offset) {
            error(cookie, NbdError.EINVAL, "request [" + Long.toUnsignedString(offset) + ", +" + length
                    + ") is beyond the end of the export (" + export.size() + " bytes)");
            return false;
        }
        return true;
    }

    private void read(long cookie, int flags, long offset, int length) throws IOException {
        ByteBuffer data;
        List<Extent> extents;
        try {
            extents = length == 0 ? List.of() : coverage(offset, length);
            data = ByteBuffer.allocate(length);
            if (!structured || (flags & CMD_FLAG_DF) != 0) {
                export.read(offset, data);
                extents = null;
            } else {
                for (Extent e : extents) {
                    if (!e.has(MetaContext.STATE_ZERO)) {
                        int at = (int) (e.offset() - offset);
                        export.read(e.offset(), data.duplicate().position(at).limit(at + (int) e.length()).slice());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            log.accept("nbd: export '" + export.name() + "': read of " + length + " bytes at " + offset
                    + " failed: " + e.getMessage());
            error(cookie, NbdError.EIO, "read failed: " + e.getMessage());
            return;
        }
        if (!structured) {
            ByteBuffer header = ByteBuffer.allocate(16).putInt(SIMPLE_REPLY_MAGIC).putInt(0).putLong(cookie).flip();
            write(header, data.clear());
            return;
        }
        if (extents == null || extents.isEmpty()) {
            chunk(cookie, REPLY_FLAG_DONE, length == 0 ? REPLY_TYPE_NONE : REPLY_TYPE_OFFSET_DATA,
                    length == 0 ? ByteBuffer.allocate(0) : ByteBuffer.allocate(8).putLong(offset).flip(), data.clear());
            return;
        }
        synchronized (writeLock) {
            for (int i = 0; i < extents.size(); i++) {
                Extent e = extents.get(i);
                int doneFlag = i == extents.size() - 1 ? REPLY_FLAG_DONE : 0;
                if (e.has(MetaContext.STATE_ZERO)) {
                    chunk(cookie, doneFlag, REPLY_TYPE_OFFSET_HOLE,
                            ByteBuffer.allocate(12).putLong(e.offset()).putInt((int) e.length()).flip(), null);
                } else {
                    int at = (int) (e.offset() - offset);
                    chunk(cookie, doneFlag, REPLY_TYPE_OFFSET_DATA, ByteBuffer.allocate(8).putLong(e.offset()).flip(),
                            data.duplicate().position(at).limit(at + (int) e.length()));
                }
            }
        }
    }

    /** The allocation of exactly {@code [offset, offset + length)}, asking again when an answer stops early. */
    private List<Extent> coverage(long offset, long length) throws IOException {
        List<Extent> out = new java.util.ArrayList<>();
        long at = offset;
        long end = offset + length;
        while (at < end) {
            List<Extent> part = export.allocation(at, end - at);
            if (part.isEmpty() || part.get(0).offset() != at) {
                throw new IOException("export '" + export.name() + "' gave no allocation at " + at);
            }
            for (Extent e : part) {
                if (e.offset() != at || at >= end) {
                    break;
                }
                long len = Math.min(e.length(), end - at);
                Extent.append(out, at, len, e.flags() & MetaContext.STATE_ZERO);
                at += len;
            }
        }
        return out;
    }

    private void blockStatus(long cookie, int flags, long offset, long length) throws IOException {
        List<Extent> extents;
        try {
            extents = export.allocation(offset, length);
        } catch (IOException | RuntimeException e) {
            log.accept("nbd: export '" + export.name() + "': allocation at " + offset + " failed: " + e.getMessage());
            error(cookie, NbdError.EIO, "block status failed: " + e.getMessage());
            return;
        }
        int count = (flags & CMD_FLAG_REQ_ONE) != 0 ? Math.min(1, extents.size()) : extents.size();
        count = Math.min(count, MAX_EXTENTS_PER_CHUNK);
        ByteBuffer payload = ByteBuffer.allocate(4 + 8 * count).putInt(ServerHandshake.ALLOCATION_CONTEXT_ID);
        long end = offset + length;
        for (int i = 0; i < count; i++) {
            Extent e = extents.get(i);
            // Lengths fit 32 bits, and no extent passes the request (clients need not expect it).
            long len = Math.min(Math.min(e.length(), 0xffff_f000L), end - e.offset());
            if (len <= 0) {
                count = i;
                break;
            }
            payload.putInt((int) len).putInt(e.flags());
            if (len < e.length()) {
                count = i + 1;
                break;
            }
        }
        payload.flip();
        chunk(cookie, REPLY_FLAG_DONE, REPLY_TYPE_BLOCK_STATUS, payload.limit(4 + 8 * count), null);
    }

    private void error(long cookie, NbdError error, String message) throws IOException {
        if (!structured) {
            simple(cookie, error.code());
            return;
        }
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, MAX_STRING);
        chunk(cookie, REPLY_FLAG_DONE, REPLY_TYPE_ERROR,
                ByteBuffer.allocate(6 + n).putInt(error.code()).putShort((short) n).put(text, 0, n).flip(), null);
    }

    private void simple(long cookie, int error) throws IOException {
        write(ByteBuffer.allocate(16).putInt(SIMPLE_REPLY_MAGIC).putInt(error).putLong(cookie).flip());
    }

    private void chunk(long cookie, int flags, int type, ByteBuffer head, ByteBuffer data) throws IOException {
        int length = head.remaining() + (data == null ? 0 : data.remaining());
        ByteBuffer header = ByteBuffer.allocate(20).putInt(STRUCTURED_REPLY_MAGIC).putShort((short) flags)
                .putShort((short) type).putLong(cookie).putInt(length).flip();
        if (data == null) {
            write(header, head);
        } else {
            write(header, head, data);
        }
    }

    private void write(ByteBuffer... buffers) throws IOException {
        synchronized (writeLock) {
            wire.writeFully(buffers);
        }
    }

    private void closeAfter(IOException e) {
        if (channel.isOpen() && !(e instanceof ClosedChannelException)) {
            log.accept("nbd: connection " + peer + ": cannot reply: " + e.getMessage());
        }
        close();
    }
}
