package io.backpoint.qemu.agent;

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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted guest agent on a real unix socket, for the faults a real qemu-ga will not produce
 * on demand (silence, garbage, hang-ups). Connections are served one after another, as QEMU's
 * chardev does. Like qemu-ga, a 0xFF byte earns a JSON parse error reply and
 * guest-sync-delimited's reply starts with 0xFF. Each command goes to the {@link Script}, which
 * says what to send back; commands are recorded by name.
 */
final class FakeAgent implements Closeable {
    /** What to do with one command. */
    interface Script {
        /** @param n how many commands of this name came before, over all connections */
        Answer answer(String command, JsonNode request, int n);
    }

    /** Raw bytes to send (null: none), and whether to hang up afterwards. */
    record Answer(String raw, boolean thenHangUp) {
        static Answer reply(String json) {
            return new Answer(json + "\n", false);
        }

        static Answer silence() {
            return new Answer(null, false);
        }

        static Answer hangUp() {
            return new Answer(null, true);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final ServerSocketChannel server;
    private final Script script;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean closed;

    FakeAgent(Path dir, Script script) throws IOException {
        this.path = dir.resolve("fake.agent");
        Files.deleteIfExists(path);
        this.script = script;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        this.thread = new Thread(this::serve, "fake-agent");
        thread.setDaemon(true);
        thread.start();
    }

    /** A script that answers as a healthy, thawed agent would. */
    static Answer healthy(String command, JsonNode request) {
        return switch (command) {
            case "guest-sync-delimited" -> new Answer("\u00ff{\"return\": " + request.path("arguments").path("id").asLong() + "}\n", false);
            case "guest-ping" -> Answer.reply("{\"return\": {}}");
            case "guest-fsfreeze-freeze" -> Answer.reply("{\"return\": 1}");
            case "guest-fsfreeze-thaw" -> Answer.reply("{\"return\": 1}");
            case "guest-fsfreeze-status" -> Answer.reply("{\"return\": \"thawed\"}");
            default -> Answer.reply("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command " + command + " has not been found\"}}");
        };
    }

    Path path() {
        return path;
    }

    List<String> commands() {
        return commands;
    }

    private void serve() {
        while (!closed) {
            try (SocketChannel c = server.accept()) {
                session(c);
            } catch (IOException e) {
                // next connection, or closed
            }
        }
    }

    private void session(SocketChannel c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (c.read(buf.clear()) >= 0) {
            buf.flip();
            while (buf.hasRemaining()) {
                byte b = buf.get();
                if (b == (byte) 0xFF) {
                    line.reset();
                    write(c, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, stray '\\ufffd'\"}}\n");
                } else if (b == '\n') {
                    JsonNode req = JSON.readTree(line.toByteArray());
                    line.reset();
                    String command = req.path("execute").asText();
                    int n = (int) commands.stream().filter(command::equals).count();
                    commands.add(command);
                    Answer a = script.answer(command, req, n);
                    if (a.raw() != null) {
                        write(c, a.raw());
                    }
                    if (a.thenHangUp()) {
                        return;
                    }
                } else {
                    line.write(b);
                }
            }
        }
    }

    private static void write(SocketChannel c, String s) throws IOException {
        // ISO-8859-1 so that U+00FF is the single byte 0xFF, as on the wire.
        ByteBuffer out = ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
        while (out.hasRemaining()) {
            c.write(out);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        thread.interrupt();
    }
}
