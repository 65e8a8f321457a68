package io.backpoint.qemu.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A scripted QMP peer on a real unix socket, for faults real QEMU will not produce on demand.
 * The script runs on its own thread against the first connection: send raw lines, expect a
 * command and answer it (with a reply built from the request, so ids match), stall, hang up;
 * or {@link #serve} every command from a responder (a model of QEMU) with faults put in per
 * command: an error reply or a hang-up ({@link #faultOn}, {@link #faultAt}; {@link #stall} is
 * the monitor that never answers).
 * Requests are recorded for assertions; a script failure (an unexpected command) is kept and
 * rethrown by {@link #close()}.
 */
public final class FakeQmpPeer implements Closeable {
    static final String GREETING =
            "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"\"}, \"capabilities\": [\"oob\"]}}";
    private static final ObjectMapper JSON = new ObjectMapper();

    public interface Step {
        void run(FakeQmpPeer peer) throws IOException, InterruptedException;
    }

    /** What the peer does with one command in {@link #serve} mode. */
    public interface Answer {
        void answer(FakeQmpPeer peer, JsonNode request) throws IOException, InterruptedException;
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final List<Step> steps = new ArrayList<>();
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final ByteArrayOutputStream pendingInput = new ByteArrayOutputStream();
    private final ByteBuffer inBuf = ByteBuffer.allocate(8192);
    private volatile Throwable scriptFailure;
    private final Map<String, Answer> faultsByCommand = new ConcurrentHashMap<>();
    private final Map<Integer, Answer> faultsByIndex = new ConcurrentHashMap<>();
    private final AtomicInteger served = new AtomicInteger();
    private Thread thread;
    private SocketChannel client;

    /** A peer on {@code dir/fake.qmp}. */
    public FakeQmpPeer(Path dir) throws IOException {
        this(UnixDomainSocketAddress.of(dir.resolve("fake.qmp")));
    }

    /** A peer on this socket path (where a domain's monitor socket would be). */
    public static FakeQmpPeer at(Path socket) throws IOException {
        return new FakeQmpPeer(UnixDomainSocketAddress.of(socket));
    }

    private FakeQmpPeer(UnixDomainSocketAddress address) throws IOException {
        this.path = address.getPath();
        Files.deleteIfExists(path);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(address);
        inBuf.flip();
    }

    public Path path() {
        return path;
    }

    public List<JsonNode> requests() {
        return requests;
    }

    // ---- script building ----

    public FakeQmpPeer step(Step s) {
        steps.add(s);
        return this;
    }

    public FakeQmpPeer send(String rawLine) {
        return step(p -> p.write(rawLine + "\r\n"));
    }

    public FakeQmpPeer greet() {
        return send(GREETING);
    }

    /** Greeting plus an accepted qmp_capabilities: what every healthy session starts with. */
    public FakeQmpPeer handshake() {
        return greet().reply("qmp_capabilities", "{}");
    }

    /** Expects a command, answers with lines made from the request. */
    public FakeQmpPeer expect(String command, Function<JsonNode, List<String>> answer) {
        return step(p -> {
            JsonNode req = p.readRequest(command);
            for (String line : answer.apply(req)) {
                p.write(line + "\r\n");
            }
        });
    }

    public FakeQmpPeer reply(String command, String returnJson) {
        return expect(command, req -> List.of(returnLine(req, returnJson)));
    }

    public FakeQmpPeer error(String command, String errorClass, String desc) {
        return expect(command, req -> List.of(
                "{\"error\": {\"class\": \"" + errorClass + "\", \"desc\": \"" + desc + "\"}, \"id\": " + req.get("id") + "}"));
    }

    /** Expects a command and never answers it until the peer is closed. */
    public FakeQmpPeer stall(String command) {
        return step(p -> {
            p.readRequest(command);
            p.release.await(30, TimeUnit.SECONDS);
        });
    }

    /** Reads a command and hangs up without answering. */
    public FakeQmpPeer hangUpOn(String command) {
        return step(p -> {
            p.readRequest(command);
            p.client.close();
        });
    }

    public FakeQmpPeer hangUp() {
        return step(p -> p.client.close());
    }

    /** Waits for the client to close or for the peer to be closed. */
    public FakeQmpPeer idle() {
        return step(p -> p.release.await(30, TimeUnit.SECONDS));
    }

    /**
     * Answers every further command with what {@code responder} says, until the client hangs up
     * (or an answer does); a fault put in with {@link #faultOn} or {@link #faultAt} comes first.
     */
    public FakeQmpPeer serve(Function<JsonNode, Answer> responder) {
        return step(p -> {
            for (String line; (line = p.readLine()) != null; ) {
                JsonNode req = JSON.readTree(line);
                p.requests.add(req);
                int n = p.served.incrementAndGet();
                Answer fault = p.faultsByIndex.remove(n);
                if (fault == null) {
                    fault = p.faultsByCommand.remove(req.path("execute").asText());
                }
                (fault != null ? fault : responder.apply(req)).answer(p, req);
                if (!p.client.isOpen()) {
                    return;
                }
            }
        });
    }

    /** In {@link #serve} mode: the next {@code command} gets {@code fault} instead of its answer (once). */
    public FakeQmpPeer faultOn(String command, Answer fault) {
        faultsByCommand.put(command, fault);
        return this;
    }

    /** In {@link #serve} mode: the {@code n}th command served (from 1) gets {@code fault} instead of its answer. */
    public FakeQmpPeer faultAt(int n, Answer fault) {
        faultsByIndex.put(n, fault);
        return this;
    }

    /** Answers with a QMP error. */
    public static Answer fails(String errorClass, String desc) {
        return (p, req) -> p.writeLine("{\"error\": {\"class\": \"" + errorClass + "\", \"desc\": \"" + desc
                + "\"}, \"id\": " + req.get("id") + "}");
    }

    /** Reads the command and closes the connection without an answer, as a QEMU that died. */
    public static Answer hangsUp() {
        return (p, req) -> p.client.close();
    }

    /** Sends one line (a reply or an event) to the client, for answers made outside this class. */
    public void writeLine(String line) throws IOException {
        write(line + "\r\n");
    }

    public static String returnLine(JsonNode req, String returnJson) {
        return "{\"return\": " + returnJson + ", \"id\": " + req.get("id") + "}";
    }

    public static String event(String name, String dataJson) {
        return "{\"timestamp\": {\"seconds\": 1795304865, \"microseconds\": 343153}, \"event\": \"" + name
                + "\", \"data\": " + dataJson + "}";
    }

    // ---- running ----

    public FakeQmpPeer start() {
        thread = new Thread(() -> {
            try {
                client = server.accept();
                for (Step s : steps) {
                    s.run(this);
                }
                release.await(30, TimeUnit.SECONDS);
            } catch (Throwable t) {
                if (!(t instanceof IOException && release.getCount() == 0)) {
                    scriptFailure = t;
                }
            } finally {
                try {
                    if (client != null) {
                        client.close();
                    }
                } catch (IOException e) {
                    // already closed
                }
            }
        }, "fake-qmp-peer");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void write(String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            client.write(b);
        }
    }

    private JsonNode readRequest(String expectedCommand) throws IOException {
        String line = readLine();
        if (line == null) {
            throw new IOException("client hung up while the script expected '" + expectedCommand + "'");
        }
        JsonNode req = JSON.readTree(line);
        requests.add(req);
        String got = req.path("execute").asText();
        if (!got.equals(expectedCommand)) {
            throw new AssertionError("fake QMP peer expected '" + expectedCommand + "' but got '" + got + "'");
        }
        return req;
    }

    private String readLine() throws IOException {
        while (true) {
            while (inBuf.hasRemaining()) {
                byte b = inBuf.get();
                if (b == '\n') {
                    String s = pendingInput.toString(StandardCharsets.UTF_8);
                    pendingInput.reset();
                    return s;
                }
                pendingInput.write(b);
            }
            inBuf.clear();
            int n = client.read(inBuf);
            inBuf.flip();
            if (n < 0) {
                return null;
            }
        }
    }

    @Override
    public void close() throws IOException {
        release.countDown();
        server.close();
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Files.deleteIfExists(path);
        if (scriptFailure != null) {
            throw new AssertionError("fake QMP peer script failed", scriptFailure);
        }
    }
}
