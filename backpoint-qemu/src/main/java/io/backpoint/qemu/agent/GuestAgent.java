package io.backpoint.qemu.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A client of the QEMU guest agent on its host-side socket. The agent answers commands in
 * order, one JSON line each, and has no ids, so a reply still in flight for an earlier client
 * would be taken for ours: every session therefore starts with {@code guest-sync-delimited}
 * (whose reply follows a 0xFF byte, so anything before it is discarded) and ends at the first
 * timeout, after which the connection is closed rather than trusted.
 *
 * <p>Faults: an error reply is an {@link AgentException}; no reply in time an
 * {@link AgentTimeoutException}; anything else (socket gone, not JSON) a plain IOException.
 */
public final class GuestAgent implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AgentWire wire;
    private final Duration timeout;

    private GuestAgent(AgentWire wire, Duration timeout) {
        this.wire = wire;
        this.timeout = timeout;
    }

    /**
     * Connects and synchronises.
     *
     * @param timeout for the synchronisation and each later command without its own
     * @throws AgentTimeoutException when no agent answers (none in the guest, or it hangs)
     */
    public static GuestAgent connect(Path socket, Duration timeout) throws IOException {
        AgentWire wire = AgentWire.connect(socket);
        GuestAgent agent = new GuestAgent(wire, timeout);
        try {
            agent.sync();
        } catch (IOException | RuntimeException e) {
            wire.close();
            throw e;
        }
        return agent;
    }

    private void sync() throws IOException {
        long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE >> 11);
        long deadline = deadline(timeout);
        // 0xFF first: it resets the agent's parser if an earlier client left half a command.
        ObjectNode args = JSON.createObjectNode().put("id", id);
        byte[] cmd = encode("guest-sync-delimited", args);
        byte[] out = new byte[cmd.length + 1];
        out[0] = (byte) 0xFF;
        System.arraycopy(cmd, 0, out, 1, cmd.length);
        wire.send(out);
        while (true) {
            wire.skipToDelimiter(deadline, "guest-sync-delimited");
            JsonNode reply = parse(wire.readLine(deadline, "guest-sync-delimited"));
            // A reply to an earlier client's sync is skipped; so is the agent's complaint about the 0xFF.
            if (reply.path("return").isIntegralNumber() && reply.path("return").asLong() == id) {
                return;
            }
        }
    }

    /** {@code guest-ping}: the agent is there and answers. */
    public void ping() throws IOException {
        execute("guest-ping", null, timeout);
    }

    /** {@code guest-fsfreeze-freeze}: freezes every file system the agent can; returns how many. */
    public int freeze(Duration timeout) throws IOException {
        return execute("guest-fsfreeze-freeze", null, timeout).asInt();
    }

    /** {@code guest-fsfreeze-thaw}: thaws; returns how many file systems were thawed (0 when none were frozen). */
    public int thaw(Duration timeout) throws IOException {
        return execute("guest-fsfreeze-thaw", null, timeout).asInt();
    }

    /** {@code guest-fsfreeze-status}. */
    public FreezeStatus freezeStatus() throws IOException {
        return FreezeStatus.fromWire(execute("guest-fsfreeze-status", null, timeout).asText());
    }

    /** {@code guest-exec} with output captured; returns the guest pid. */
    public long exec(String path, List<String> args) throws IOException {
        ObjectNode a = JSON.createObjectNode().put("path", path).put("capture-output", true);
        args.forEach(a.putArray("arg")::add);
        return execute("guest-exec", a, timeout).path("pid").asLong();
    }

    /** {@code guest-exec-status}. */
    public ExecStatus execStatus(long pid) throws IOException {
        JsonNode r = execute("guest-exec-status", JSON.createObjectNode().put("pid", pid), timeout);
        Base64.Decoder b64 = Base64.getDecoder();
        return new ExecStatus(r.path("exited").asBoolean(), r.path("exitcode").asInt(-1),
                b64.decode(r.path("out-data").asText("")), b64.decode(r.path("err-data").asText("")));
    }

    /** Sends a command and returns its {@code return} value. */
    JsonNode execute(String command, JsonNode arguments, Duration timeout) throws IOException {
        long deadline = deadline(timeout);
        wire.send(encode(command, arguments));
        JsonNode reply;
        try {
            reply = parse(wire.readLine(deadline, "'" + command + "'"));
        } catch (IOException e) {
            // The reply may still come; it must not be read as the next command's.
            wire.close();
            throw e;
        }
        if (reply.has("error")) {
            JsonNode err = reply.get("error");
            throw new AgentException(command, err.path("class").asText("GenericError"), err.path("desc").asText(""));
        }
        if (!reply.has("return")) {
            wire.close();
            throw new IOException("guest agent sent a reply without 'return' to '" + command + "': " + reply);
        }
        return reply.get("return");
    }

    private static byte[] encode(String command, JsonNode arguments) {
        ObjectNode msg = JSON.createObjectNode().put("execute", command);
        if (arguments != null) {
            msg.set("arguments", arguments);
        }
        return (msg + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode parse(byte[] line) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            n = null;
        }
        if (n == null || !n.isObject()) {
            String text = new String(line, StandardCharsets.UTF_8);
            throw new IOException("guest agent sent something that is not a JSON object: '"
                    + (text.length() > 200 ? text.substring(0, 200) + "..." : text) + "'");
        }
        return n;
    }

    private static long deadline(Duration timeout) {
        return System.nanoTime() + timeout.toNanos();
    }

    /** The socket this client talks to. */
    public Path socket() {
        return wire.socket();
    }

    @Override
    public void close() {
        wire.close();
    }
}
