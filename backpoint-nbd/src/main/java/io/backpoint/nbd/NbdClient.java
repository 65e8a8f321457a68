package io.backpoint.nbd;

import static io.backpoint.nbd.NbdProtocol.*;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A connection to one NBD export, over a unix socket or TCP. Every command exists in two
 * forms: {@code xxxAsync} returns at once (after the request is sent) so many requests can be
 * in flight; the plain form waits. Futures complete on the connection's reader thread, so
 * dependent stages must not block or send requests on the same connection; use the
 * {@code ...Async(fn, executor)} variants of {@link CompletableFuture} for that.
 *
 * <p>Requests are checked here before they are sent (bounds, alignment to the server's minimum
 * block size, at most {@link ExportInfo#maximumRequest()} bytes of payload), so a mistake is
 * an {@link IllegalArgumentException} naming the value, never a confused server.
 */
public final class NbdClient implements AutoCloseable {
    /** Largest length one BLOCK_STATUS request may carry (a 32-bit field). */
    static final long MAX_STATUS_LENGTH = 0xffff_ffffL;

    private final NbdConnection connection;
    private final ExportInfo export;

    private NbdClient(NbdConnection connection) {
        this.connection = connection;
        this.export = connection.export();
    }

    public static NbdClient connect(SocketAddress address, NbdConnectOptions options) throws IOException {
        return new NbdClient(NbdConnection.open(address, options));
    }

    public static NbdClient connectUnix(Path socket, NbdConnectOptions options) throws IOException {
        return connect(UnixDomainSocketAddress.of(socket), options);
    }

    public static NbdClient connectTcp(String host, int port, NbdConnectOptions options) throws IOException {
        return connect(new InetSocketAddress(host, port), options);
    }

    public ExportInfo export() {
        return export;
    }

    public long size() {
        return export.size();
    }

    public boolean structuredReplies() {
        return connection.structuredReplies();
    }

    /** The metadata contexts the server selected (a subset of those asked for). */
    public Set<String> metaContexts() {
        return connection.contexts().keySet();
    }

    public boolean hasMetaContext(String name) {
        return connection.contexts().containsKey(name);
    }

    /** Requests sent and not yet answered. */
    public int inFlight() {
        return connection.inFlight();
    }

    /** Reads {@code into.remaining()} bytes at {@code offset} into {@code into} (position unchanged). */
    public CompletableFuture<ByteBuffer> readAsync(long offset, ByteBuffer into) {
        int length = into.remaining();
        checkRange("read", offset, length);
        checkPayload("read", length);
        return connection.submit(CMD_READ, 0, offset, length, null, into).thenApply(ByteBuffer.class::cast);
    }

    public ByteBuffer read(long offset, int length) throws IOException {
        return await(readAsync(offset, ByteBuffer.allocate(length)));
    }

    /** Writes {@code data.remaining()} bytes at {@code offset}; {@code data} must not change until done. */
    public CompletableFuture<Void> writeAsync(long offset, ByteBuffer data) {
        int length = data.remaining();
        checkRange("write", offset, length);
        checkPayload("write", length);
        if (export.readOnly()) {
            return CompletableFuture.failedFuture(NbdException.unsupported("export '" + export.name() + "' is read-only"));
        }
        return connection.submit(CMD_WRITE, 0, offset, length, data.duplicate(), null).thenApply(x -> null);
    }

    public void write(long offset, ByteBuffer data) throws IOException {
        await(writeAsync(offset, data));
    }

    public void write(long offset, byte[] data) throws IOException {
        write(offset, ByteBuffer.wrap(data));
    }

    /** Zeroes {@code length} bytes (at most 4 GiB - 1) without sending them; the server may punch a hole. */
    public CompletableFuture<Void> writeZeroesAsync(long offset, long length) {
        checkRange("write zeroes", offset, length);
        if (length > MAX_STATUS_LENGTH) {
            throw new IllegalArgumentException("write zeroes length " + length + " exceeds 4 GiB - 1");
        }
        if (export.readOnly()) {
            return CompletableFuture.failedFuture(NbdException.unsupported("export '" + export.name() + "' is read-only"));
        }
        if (!export.canWriteZeroes()) {
            return CompletableFuture.failedFuture(NbdException.unsupported(
                    "export '" + export.name() + "' does not support NBD_CMD_WRITE_ZEROES"));
        }
        return connection.submit(CMD_WRITE_ZEROES, 0, offset, length, null, null).thenApply(x -> null);
    }

    public void writeZeroes(long offset, long length) throws IOException {
        await(writeZeroesAsync(offset, length));
    }

    public CompletableFuture<Void> flushAsync() {
        if (!export.canFlush()) {
            return CompletableFuture.failedFuture(NbdException.unsupported(
                    "export '" + export.name() + "' does not support NBD_CMD_FLUSH"));
        }
        return connection.submit(CMD_FLUSH, 0, 0, 0, null, null).thenApply(x -> null);
    }

    public void flush() throws IOException {
        await(flushAsync());
    }

    /**
     * Block status of [offset, offset+length) for every selected context, by context name.
     * The server may describe less than asked (never nothing) and the last extent may reach
     * past the range; {@link ExtentMap} deals with both.
     */
    public CompletableFuture<Map<String, List<Extent>>> blockStatusAsync(long offset, long length) {
        checkRange("block status", offset, length);
        if (length > MAX_STATUS_LENGTH) {
            throw new IllegalArgumentException("block status length " + length + " exceeds 4 GiB - 1");
        }
        if (connection.contexts().isEmpty()) {
            return CompletableFuture.failedFuture(NbdException.unsupported(
                    "no metadata context was selected on export '" + export.name() + "'"));
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<Map<String, List<Extent>>> f = connection
                .submit(CMD_BLOCK_STATUS, 0, offset, length, null, null)
                .thenApply(m -> (Map<String, List<Extent>>) m);
        return f;
    }

    /** The extents one context reports for [offset, offset+length), as sent by the server. */
    public List<Extent> blockStatus(String context, long offset, long length) throws IOException {
        requireContext(context);
        List<Extent> extents = await(blockStatusAsync(offset, length)).get(context);
        if (extents == null) {
            throw NbdException.protocol("block status reply without context '" + context + "'");
        }
        return extents;
    }

    void requireContext(String context) throws NbdException {
        if (!hasMetaContext(context)) {
            throw NbdException.unsupported("server did not select metadata context '" + context
                    + "' on export '" + export.name() + "' (selected: " + metaContexts() + ")");
        }
    }

    /** Waits for requests in flight, then disconnects cleanly (NBD_CMD_DISC). */
    @Override
    public void close() {
        connection.close();
    }

    /** Waits for a future of this client, unwrapping its failure into an IOException. */
    public static <T> T await(CompletableFuture<T> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the NBD server");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(cause);
        }
    }

    private void checkRange(String what, long offset, long length) {
        if (offset < 0 || length <= 0 || offset > export.size() - length) {
            throw new IllegalArgumentException(what + " of " + length + " bytes at offset " + offset
                    + " is outside export '" + export.name() + "' of " + export.size() + " bytes");
        }
        long align = export.minimumBlockSize();
        boolean endsAtEof = offset + length == export.size();
        if (offset % align != 0 || (length % align != 0 && !endsAtEof)) {
            throw new IllegalArgumentException(what + " at offset " + offset + " length " + length
                    + " is not aligned to the server's minimum block size " + align);
        }
    }

    private void checkPayload(String what, int length) {
        if (length > export.maximumRequest()) {
            throw new IllegalArgumentException(what + " of " + length + " bytes exceeds the maximum request of "
                    + export.maximumRequest() + " bytes");
        }
    }
}
