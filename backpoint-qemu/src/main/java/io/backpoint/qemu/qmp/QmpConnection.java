package io.backpoint.qemu.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.util.IoErrors;
import io.backpoint.util.Trace;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import io.backpoint.util.CrashPoints;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One QMP monitor connection over a unix domain socket: reads the greeting, negotiates
 * capabilities, sends commands with unique ids and matches replies by id, and hands events to a
 * listener and a queue in arrival order.
 *
 * <p>One reader thread owns the socket's input; writers share a lock. The channel is used
 * directly, not through {@code Channels.newInputStream}, whose streams lock the channel's
 * blocking lock and would make a pending read block every write.
 *
 * <p>Faults: an error reply is a {@link QmpException}; no reply in time is a
 * {@link QmpTimeoutException} (the connection stays usable); the peer going away is a
 * {@link QmpDisconnectedException} for every command in flight and every later one; anything
 * that is not QMP is a {@link QmpProtocolException} and closes the connection.
 */
public final class QmpConnection implements Closeable {
    /** Longest message accepted; query-named-block-nodes on a big VM is well under this. */
    static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
    /** Events kept for {@link #pollEvent} when nobody drains them; the oldest go first. */
    static final int MAX_QUEUED_EVENTS = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Pending(String command, CompletableFuture<JsonNode> reply) {}

    private final Path socket;
    private final SocketChannel channel;
    private final Duration defaultTimeout;
    private final Consumer<QmpEvent> listener;
    private final Object writeLock = new Object();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final BlockingQueue<QmpEvent> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Thread reader;
    private volatile IOException failure;

    private QmpConnection(Path socket, SocketChannel channel, Duration defaultTimeout, Consumer<QmpEvent> listener) {
        this.socket = socket;
        this.channel = channel;
        this.defaultTimeout = defaultTimeout;
        this.listener = listener;
        this.reader = new Thread(this::readLoop, "qmp-reader " + socket.getFileName());
        this.reader.setDaemon(true);
    }

    /** Connects, reads the greeting and enters command mode. */
    public static QmpConnection open(Path socket, Duration timeout) throws IOException {
        return open(socket, timeout, null);
    }

    /**
     * Connects, reads the greeting and enters command mode.
     *
     * @param timeout for the greeting, capability negotiation, and every command sent without its own
     * @param listener called on the reader thread for each event, in order; may be null
     */
    public static QmpConnection open(Path socket, Duration timeout, Consumer<QmpEvent> listener) throws IOException {
        return open(socket, timeout, timeout, listener);
    }

    /**
     * @param greetingWait how long to wait for the greeting: another client may hold the monitor
     * @param timeout for capability negotiation and every command sent without its own
     */
    public static QmpConnection open(Path socket, Duration greetingWait, Duration timeout, Consumer<QmpEvent> listener)
            throws IOException {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new QmpDisconnectedException("cannot create a unix socket: " + IoErrors.reason(e), e);
        }
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw new QmpDisconnectedException(
                    "cannot connect to QEMU monitor at '" + socket + "': " + e.getMessage(), e);
        }
        Trace.mark("qmp connected");
        QmpConnection c = new QmpConnection(socket, ch, timeout, listener);
        c.reader.start();
        try {
            c.awaitGreeting(greetingWait);
            Trace.mark("qmp greeting");
            c.execute("qmp_capabilities", null, timeout);
        } catch (IOException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void awaitGreeting(Duration timeout) throws IOException {
        try {
            greeting.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new QmpTimeoutException("no QMP greeting from '" + socket + "' within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw rethrowable(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for QMP greeting");
        }
    }

    /** The greeting's {@code QMP} object (version, capabilities). */
    public JsonNode greeting() {
        return greeting.getNow(null);
    }

    /** Runs a command with the default timeout; returns its {@code return} value. */
    public JsonNode execute(String command, JsonNode arguments) throws IOException {
        return execute(command, arguments, defaultTimeout);
    }

    /**
     * Runs a command and waits for its reply.
     *
     * @param arguments the arguments object, or null for none
     * @return the reply's {@code return} value (an empty object for most commands)
     */
    public JsonNode execute(String command, JsonNode arguments, Duration timeout) throws IOException {
        // A query changes nothing, so a kill around it is a kill at the step before or after;
        // leaving queries out keeps an operation's points the same from run to run (polls vary).
        boolean step = !command.startsWith("query-");
        if (step) {
            CrashPoints.before("qmp:" + command);
        }
        Trace.mark("qmp > " + command);
        JsonNode reply = send(command, arguments, timeout);
        Trace.mark("qmp < " + command);
        if (step) {
            CrashPoints.after("qmp:" + command);
        }
        return reply;
    }

    private JsonNode send(String command, JsonNode arguments, Duration timeout) throws IOException {
        String id = "bp-" + nextId.getAndIncrement();
        ObjectNode msg = JSON.createObjectNode();
        msg.put("execute", command);
        if (arguments != null) {
            msg.set("arguments", arguments);
        }
        msg.put("id", id);
        Pending p = new Pending(command, new CompletableFuture<>());
        pending.put(id, p);
        // A failure may have been recorded before our entry went in; failAll would have missed it.
        IOException f = failure;
        if (f != null) {
            pending.remove(id);
            throw afterFailure(command, f);
        }
        try {
            send(msg);
        } catch (IOException e) {
            pending.remove(id);
            fail(new QmpDisconnectedException("QEMU monitor connection lost: " + IoErrors.reason(e), e));
            throw afterFailure(command, failure);
        }
        try {
            return p.reply().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.remove(id);
            throw new QmpTimeoutException(
                    "timed out after " + timeout.toMillis() + " ms waiting for reply to QEMU command '" + command + "'");
        } catch (ExecutionException e) {
            throw rethrowable(e.getCause());
        } catch (InterruptedException e) {
            pending.remove(id);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for QEMU command '" + command + "'");
        }
    }

    /** The next queued event, waiting up to {@code timeout}; null if none came. */
    public QmpEvent pollEvent(Duration timeout) throws InterruptedException {
        return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True until the peer goes away or {@link #close()} is called. */
    public boolean isOpen() {
        return failure == null;
    }

    /** The socket this connection talks to. */
    public Path socket() {
        return socket;
    }

    @Override
    public void close() {
        fail(new QmpDisconnectedException("QEMU monitor connection closed"));
        try {
            reader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(ObjectNode msg) throws IOException {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(msg);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a QMP command", e);
        }
        ByteBuffer buf = ByteBuffer.allocate(bytes.length + 1);
        buf.put(bytes).put((byte) '\n').flip();
        synchronized (writeLock) {
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        }
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (true) {
                buf.clear();
                int n = channel.read(buf);
                if (n < 0) {
                    fail(new QmpDisconnectedException("QEMU closed the monitor connection"));
                    return;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    byte b = buf.get();
                    if (b == '\n') {
                        dispatch(line.toByteArray());
                        line.reset();
                    } else if (line.size() >= MAX_MESSAGE_BYTES) {
                        throw new QmpProtocolException("QMP message longer than " + MAX_MESSAGE_BYTES + " bytes");
                    } else {
                        line.write(b);
                    }
                }
            }
        } catch (QmpDisconnectedException e) {
            fail(e);
        } catch (IOException e) {
            fail(new QmpDisconnectedException("QEMU monitor connection lost: " + IoErrors.reason(e), e));
        } catch (RuntimeException e) {
            // A bug of ours in reading must not leave callers waiting for their timeouts.
            fail(new QmpProtocolException("cannot read the QEMU monitor: " + e, e));
        }
    }

    private void dispatch(byte[] raw) throws QmpProtocolException {
        String text = new String(raw, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return;
        }
        JsonNode msg;
        try {
            msg = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new QmpProtocolException("QEMU monitor sent something that is not JSON: " + abbreviate(text), e);
        }
        if (msg == null || !msg.isObject()) {
            throw new QmpProtocolException("QEMU monitor sent a JSON value that is not an object: " + abbreviate(text));
        }
        if (msg.has("QMP")) {
            if (!greeting.complete(msg.get("QMP"))) {
                throw new QmpProtocolException("QEMU monitor sent a second greeting");
            }
            return;
        }
        if (!greeting.isDone()) {
            if (msg.has("event")) {
                // Seen on QEMU 7.2 with a block job running: an event emitted as the previous
                // client left reaches the next one before its greeting. It was not ours; drop it.
                return;
            }
            throw new QmpProtocolException("QEMU monitor did not start with a QMP greeting: " + abbreviate(text));
        }
        if (msg.has("event")) {
            Trace.mark("qmp event " + msg.get("event").asText() + " " + msg.path("data").path("status").asText());
            JsonNode ts = msg.path("timestamp");
            deliver(new QmpEvent(msg.get("event").asText(), msg.get("data"),
                    ts.path("seconds").asLong(), ts.path("microseconds").asLong()));
            return;
        }
        if (msg.has("return") || msg.has("error")) {
            JsonNode id = msg.get("id");
            if (id == null || !id.isTextual()) {
                // QEMU answers without an id only when it could not parse what we sent.
                throw new QmpProtocolException("QEMU monitor sent a reply without an id: " + abbreviate(text));
            }
            Pending p = pending.remove(id.asText());
            if (p == null) {
                return; // the reply to a command that already timed out
            }
            if (msg.has("error")) {
                JsonNode err = msg.get("error");
                p.reply().completeExceptionally(new QmpException(p.command(),
                        err.path("class").asText("GenericError"), err.path("desc").asText("")));
            } else {
                p.reply().complete(msg.get("return"));
            }
            return;
        }
        throw new QmpProtocolException("QEMU monitor sent an unknown message: " + abbreviate(text));
    }

    private void deliver(QmpEvent event) {
        while (!events.offer(event) || events.size() > MAX_QUEUED_EVENTS) {
            events.poll();
        }
        if (listener != null) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                // A faulty listener must not stop replies from being matched.
            }
        }
    }

    private void fail(IOException cause) {
        synchronized (this) {
            if (failure != null) {
                return;
            }
            failure = cause;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closing a socket that is already broken
        }
        greeting.completeExceptionally(cause);
        for (String id : pending.keySet()) {
            Pending p = pending.remove(id);
            if (p != null) {
                p.reply().completeExceptionally(afterFailure(p.command(), cause));
            }
        }
    }

    /** A fresh exception of the same kind for each waiting caller, so stack traces stay true. */
    private static IOException afterFailure(String command, IOException cause) {
        String msg = "QEMU command '" + command + "' failed: " + cause.getMessage();
        if (cause instanceof QmpProtocolException) {
            return new QmpProtocolException(msg, cause);
        }
        return new QmpDisconnectedException(msg, cause);
    }

    private static IOException rethrowable(Throwable t) {
        if (t instanceof QmpException q) {
            // Rebuilt so the stack trace shows the caller, not the reader thread.
            return new QmpException(q.command(), q.errorClass(), q.desc());
        }
        if (t instanceof IOException io) {
            return io;
        }
        return new IOException(t);
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
