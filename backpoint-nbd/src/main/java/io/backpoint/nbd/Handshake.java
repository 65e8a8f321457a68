package io.backpoint.nbd;

import static io.backpoint.nbd.NbdProtocol.*;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fixed newstyle negotiation, client side: greeting, client flags, structured replies,
 * metadata contexts, then NBD_OPT_GO (or NBD_OPT_EXPORT_NAME for servers without it).
 * Runs once per connection, before the reader thread exists, so it reads synchronously.
 */
final class Handshake {
    /** The outcome: what transmission may use. */
    record Result(boolean structuredReplies, Map<String, Integer> contexts, ExportInfo export) {
    }

    private record OptionReply(int type, byte[] data) {
        boolean isError() {
            return (type & REP_ERR_BIT) != 0;
        }

        /** The server's human-readable text, cleaned of control characters. */
        String text() {
            return printable(Wire.utf8(data));
        }
    }

    private final Wire wire;
    private boolean noZeroes;

    Handshake(Wire wire) {
        this.wire = wire;
    }

    Result run(NbdConnectOptions options) throws IOException {
        long magic = wire.readLong();
        if (magic != NBDMAGIC) {
            throw NbdException.protocol(String.format(
                    "not an NBD server: greeting magic 0x%016x, expected 0x%016x", magic, NBDMAGIC));
        }
        long style = wire.readLong();
        if (style == OLDSTYLE_MAGIC) {
            throw NbdException.unsupported("server uses oldstyle negotiation, which is not supported");
        }
        if (style != IHAVEOPT) {
            throw NbdException.protocol(String.format("bad newstyle magic 0x%016x", style));
        }
        int handshakeFlags = wire.readUnsignedShort();
        if ((handshakeFlags & FLAG_FIXED_NEWSTYLE) == 0) {
            throw NbdException.unsupported("server does not support fixed newstyle negotiation");
        }
        noZeroes = (handshakeFlags & FLAG_NO_ZEROES) != 0;
        int clientFlags = FLAG_C_FIXED_NEWSTYLE | (noZeroes ? FLAG_C_NO_ZEROES : 0);
        wire.writeFully(ByteBuffer.allocate(4).putInt(0, clientFlags));

        boolean structured = negotiateStructuredReplies();
        Map<String, Integer> contexts = Map.of();
        if (!options.metaContexts().isEmpty()) {
            if (!structured) {
                abort();
                throw NbdException.unsupported(
                        "server does not support structured replies, so metadata contexts are unavailable");
            }
            contexts = setMetaContexts(options.exportName(), options.metaContexts());
        }
        ExportInfo export = go(options.exportName());
        return new Result(structured, contexts, export);
    }

    private boolean negotiateStructuredReplies() throws IOException {
        sendOption(OPT_STRUCTURED_REPLY, ByteBuffer.allocate(0));
        OptionReply reply = readReply(OPT_STRUCTURED_REPLY);
        if (reply.type() == REP_ACK) {
            return true;
        }
        if (reply.type() == REP_ERR_UNSUP) {
            return false;
        }
        throw refusal(OPT_STRUCTURED_REPLY, reply, null);
    }

    private Map<String, Integer> setMetaContexts(String export, List<String> queries) throws IOException {
        byte[] name = export.getBytes(StandardCharsets.UTF_8);
        int size = 4 + name.length + 4;
        for (String q : queries) {
            size += 4 + q.getBytes(StandardCharsets.UTF_8).length;
        }
        ByteBuffer data = ByteBuffer.allocate(size);
        data.putInt(name.length).put(name).putInt(queries.size());
        for (String q : queries) {
            byte[] b = q.getBytes(StandardCharsets.UTF_8);
            data.putInt(b.length).put(b);
        }
        sendOption(OPT_SET_META_CONTEXT, data.flip());
        Map<String, Integer> contexts = new LinkedHashMap<>();
        while (true) {
            OptionReply reply = readReply(OPT_SET_META_CONTEXT);
            if (reply.type() == REP_ACK) {
                return Map.copyOf(contexts);
            }
            if (reply.type() == REP_META_CONTEXT) {
                if (reply.data().length < 5) {
                    throw NbdException.protocol("metadata context reply of " + reply.data().length + " bytes");
                }
                ByteBuffer b = ByteBuffer.wrap(reply.data());
                int id = b.getInt();
                byte[] ctx = new byte[b.remaining()];
                b.get(ctx);
                contexts.put(Wire.utf8(ctx), id);
                continue;
            }
            throw refusal(OPT_SET_META_CONTEXT, reply, export);
        }
    }

    private ExportInfo go(String export) throws IOException {
        byte[] name = export.getBytes(StandardCharsets.UTF_8);
        ByteBuffer data = ByteBuffer.allocate(4 + name.length + 2 + 2);
        // Asking for NBD_INFO_BLOCK_SIZE promises to honour the constraints; we do.
        data.putInt(name.length).put(name).putShort((short) 1).putShort((short) INFO_BLOCK_SIZE);
        sendOption(OPT_GO, data.flip());
        long size = -1;
        int flags = 0;
        int min = 1;
        int preferred = 4096;
        int max = MAX_PAYLOAD;
        while (true) {
            OptionReply reply = readReply(OPT_GO);
            switch (reply.type()) {
                case REP_INFO -> {
                    ByteBuffer b = ByteBuffer.wrap(reply.data());
                    if (b.remaining() < 2) {
                        throw NbdException.protocol("NBD_REP_INFO without a type");
                    }
                    int info = b.getShort() & 0xffff;
                    if (info == INFO_EXPORT) {
                        if (reply.data().length != 12) {
                            throw NbdException.protocol("NBD_INFO_EXPORT of length " + reply.data().length);
                        }
                        size = checkSize(b.getLong());
                        flags = b.getShort() & 0xffff;
                    } else if (info == INFO_BLOCK_SIZE) {
                        if (reply.data().length != 14) {
                            throw NbdException.protocol("NBD_INFO_BLOCK_SIZE of length " + reply.data().length);
                        }
                        min = b.getInt();
                        preferred = b.getInt();
                        max = b.getInt();
                        checkBlockSizes(min, preferred, max);
                    }
                    // Other information (name, description) is optional and not needed.
                }
                case REP_ACK -> {
                    if (size < 0) {
                        throw NbdException.protocol("server accepted NBD_OPT_GO without NBD_INFO_EXPORT");
                    }
                    return new ExportInfo(export, size, flags, min, preferred, max);
                }
                case REP_ERR_UNSUP -> {
                    return exportName(export, name);
                }
                default -> throw refusal(OPT_GO, reply, export);
            }
        }
    }

    /** Pre-NBD_OPT_GO servers: no error reporting, a missing export just closes the socket. */
    private ExportInfo exportName(String export, byte[] name) throws IOException {
        sendOption(OPT_EXPORT_NAME, ByteBuffer.wrap(name));
        try {
            long size = checkSize(wire.readLong());
            int flags = wire.readUnsignedShort();
            if (!noZeroes) {
                wire.skip(124);
            }
            return new ExportInfo(export, size, flags, 1, 4096, MAX_PAYLOAD);
        } catch (EOFException e) {
            throw NbdException.optionRefused(REP_ERR_UNKNOWN,
                    "export '" + export + "' not found (server closed the connection)");
        }
    }

    private static long checkSize(long size) throws NbdException {
        if (size < 0) {
            throw NbdException.protocol("export size " + Long.toUnsignedString(size) + " is too large");
        }
        return size;
    }

    private static void checkBlockSizes(int min, int preferred, int max) throws NbdException {
        if (min <= 0 || Integer.bitCount(min) != 1 || min > 65536) {
            throw NbdException.protocol("bad minimum block size " + Integer.toUnsignedString(min));
        }
        if (preferred <= 0 || Integer.bitCount(preferred) != 1 || preferred < min) {
            throw NbdException.protocol("bad preferred block size " + Integer.toUnsignedString(preferred));
        }
        // 0xffffffff means "no limit", which reads as -1 here.
        if (max != -1 && (max < min || max < preferred)) {
            throw NbdException.protocol("bad maximum payload size " + Integer.toUnsignedString(max));
        }
    }

    private NbdException refusal(int option, OptionReply reply, String export) {
        if (!reply.isError()) {
            return NbdException.protocol(String.format("unexpected reply type %d to %s",
                    reply.type(), optionName(option)));
        }
        abort();
        String serverText = reply.data().length == 0 ? "" : ": " + reply.text();
        String message;
        if (reply.type() == REP_ERR_UNKNOWN && export != null) {
            message = "export '" + export + "' not found" + serverText;
        } else {
            message = "server refused " + optionName(option)
                    + (export != null ? " for export '" + export + "'" : "")
                    + " with " + replyErrorName(reply.type()) + serverText;
        }
        return NbdException.optionRefused(reply.type(), message);
    }

    /** Soft disconnect, as the spec asks of a client that gives up during negotiation. */
    private void abort() {
        try {
            sendOption(OPT_ABORT, ByteBuffer.allocate(0));
        } catch (IOException ignored) {
            // The connection is being dropped anyway.
        }
    }

    private void sendOption(int option, ByteBuffer data) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(16).putLong(IHAVEOPT).putInt(option).putInt(data.remaining()).flip();
        wire.writeFully(header, data);
    }

    private OptionReply readReply(int option) throws IOException {
        long magic = wire.readLong();
        if (magic != OPTION_REPLY_MAGIC) {
            throw NbdException.protocol(String.format("bad option reply magic 0x%016x", magic));
        }
        int echoed = wire.readInt();
        if (echoed != option) {
            throw NbdException.protocol("reply to " + optionName(echoed) + " while waiting for " + optionName(option));
        }
        int type = wire.readInt();
        int length = wire.readInt();
        if (length < 0 || length > MAX_OPTION_REPLY) {
            throw NbdException.protocol("option reply of " + Integer.toUnsignedString(length)
                    + " bytes exceeds the limit of " + MAX_OPTION_REPLY);
        }
        return new OptionReply(type, wire.readBytes(length));
    }

    static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 512));
        for (int i = 0; i < s.length() && sb.length() < 512; i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) ? ' ' : c);
        }
        return sb.toString().strip();
    }
}
