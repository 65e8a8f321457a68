package io.backpoint.nbd;

import static io.backpoint.nbd.NbdProtocol.*;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fixed newstyle negotiation, server side (proto.md "Option haggling"): answers options until
 * the client picks an export with NBD_OPT_GO or NBD_OPT_EXPORT_NAME, or leaves. Errors in an
 * option are answered with an option error and the haggling goes on, as the spec asks.
 */
final class ServerHandshake {
    /** The id of base:allocation once a client selects it; any non-zero number will do. */
    static final int ALLOCATION_CONTEXT_ID = 1;
    /** Option payloads are names and short lists; more than this is refused as too big. */
    private static final int MAX_OPTION_DATA = 64 << 10;

    static final int TRANSMISSION_FLAGS = TFLAG_HAS_FLAGS | TFLAG_READ_ONLY | TFLAG_CAN_MULTI_CONN;

    /** DF (don't fragment) is only for clients that negotiated structured replies, as the spec says. */
    private int transmissionFlags() {
        return TRANSMISSION_FLAGS | (structured ? TFLAG_SEND_DF : 0);
    }

    /** What transmission may use; export null when the client left during negotiation. */
    record Result(NbdExport export, boolean structuredReplies, boolean allocationContext) {
    }

    private final Wire wire;
    private final Map<String, NbdExport> exports;
    private boolean structured;
    /** The export SET_META_CONTEXT selected base:allocation for, or null. */
    private String contextExport;

    ServerHandshake(Wire wire, Map<String, NbdExport> exports) {
        this.wire = wire;
        this.exports = exports;
    }

    Result run() throws IOException {
        wire.writeFully(ByteBuffer.allocate(18).putLong(NBDMAGIC).putLong(IHAVEOPT)
                .putShort((short) (FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES)).flip());
        int clientFlags = wire.readInt();
        if ((clientFlags & ~(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES)) != 0
                || (clientFlags & FLAG_C_FIXED_NEWSTYLE) == 0) {
            // Unknown flags must end the session; unfixed newstyle cannot be told about errors.
            return null;
        }
        boolean noZeroes = (clientFlags & FLAG_C_NO_ZEROES) != 0;
        while (true) {
            if (wire.readLong() != IHAVEOPT) {
                return null;
            }
            int option = wire.readInt();
            int length = wire.readInt();
            if (length < 0 || length > MAX_OPTION_DATA) {
                if (option == OPT_EXPORT_NAME) {
                    return null;
                }
                wire.skip(Integer.toUnsignedLong(length));
                reply(option, REP_ERR_TOO_BIG, "option data too large");
                continue;
            }
            ByteBuffer data = ByteBuffer.wrap(wire.readBytes(length));
            try {
                switch (option) {
                    case OPT_EXPORT_NAME -> {
                        NbdExport export = exports.get(Wire.utf8(data.array()));
                        if (export == null) {
                            return null; // this option has no way to report an error
                        }
                        ByteBuffer b = ByteBuffer.allocate(10 + (noZeroes ? 0 : 124));
                        b.putLong(export.size()).putShort((short) transmissionFlags());
                        wire.writeFully(b.position(b.capacity()).flip());
                        return result(export);
                    }
                    case OPT_ABORT -> {
                        ack(option);
                        return null;
                    }
                    case OPT_LIST -> list(length);
                    case OPT_INFO, OPT_GO -> {
                        NbdExport export = info(option, data);
                        if (export != null && option == OPT_GO) {
                            return result(export);
                        }
                    }
                    case OPT_STRUCTURED_REPLY -> {
                        if (length != 0) {
                            reply(option, REP_ERR_INVALID, "NBD_OPT_STRUCTURED_REPLY takes no data");
                        } else {
                            structured = true;
                            ack(option);
                        }
                    }
                    case OPT_LIST_META_CONTEXT, OPT_SET_META_CONTEXT -> metaContext(option, data);
                    case OPT_STARTTLS -> reply(option, REP_ERR_POLICY, "this server does not offer TLS");
                    default -> reply(option, REP_ERR_UNSUP, "option " + option + " is not supported");
                }
            } catch (BufferUnderflowException | IllegalArgumentException e) {
                reply(option, REP_ERR_INVALID, "malformed " + optionName(option));
            }
        }
    }

    private Result result(NbdExport export) {
        boolean allocation = structured && export.name().equals(contextExport);
        return new Result(export, structured, allocation);
    }

    private void list(int length) throws IOException {
        if (length != 0) {
            reply(OPT_LIST, REP_ERR_INVALID, "NBD_OPT_LIST takes no data");
            return;
        }
        for (NbdExport export : exports.values()) {
            byte[] name = export.name().getBytes(StandardCharsets.UTF_8);
            byte[] description = export.description().getBytes(StandardCharsets.UTF_8);
            reply(OPT_LIST, REP_SERVER, ByteBuffer.allocate(4 + name.length + description.length)
                    .putInt(name.length).put(name).put(description).array());
        }
        ack(OPT_LIST);
    }

    /** NBD_OPT_INFO and NBD_OPT_GO; returns the export when the client may use it. */
    private NbdExport info(int option, ByteBuffer data) throws IOException {
        String name = string(data, data.getInt());
        int requests = data.getShort() & 0xffff;
        List<Integer> wanted = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            wanted.add(data.getShort() & 0xffff);
        }
        if (data.hasRemaining()) {
            throw new IllegalArgumentException("trailing bytes");
        }
        NbdExport export = exports.get(name);
        if (export == null) {
            reply(option, REP_ERR_UNKNOWN, "no export named '" + name + "' (see nbdinfo --list)");
            return null;
        }
        reply(option, REP_INFO, ByteBuffer.allocate(12).putShort((short) INFO_EXPORT).putLong(export.size())
                .putShort((short) transmissionFlags()).array());
        if (wanted.contains(INFO_NAME)) {
            byte[] n = export.name().getBytes(StandardCharsets.UTF_8);
            reply(option, REP_INFO, ByteBuffer.allocate(2 + n.length).putShort((short) INFO_NAME).put(n).array());
        }
        if (wanted.contains(INFO_DESCRIPTION) && !export.description().isEmpty()) {
            byte[] d = export.description().getBytes(StandardCharsets.UTF_8);
            reply(option, REP_INFO, ByteBuffer.allocate(2 + d.length).putShort((short) INFO_DESCRIPTION).put(d).array());
        }
        // Any alignment works; 4 KiB is what the chunk store and file systems like.
        reply(option, REP_INFO, ByteBuffer.allocate(14).putShort((short) INFO_BLOCK_SIZE).putInt(1).putInt(4096)
                .putInt(MAX_PAYLOAD).array());
        ack(option);
        return export;
    }

    private void metaContext(int option, ByteBuffer data) throws IOException {
        String name = string(data, data.getInt());
        int count = data.getInt();
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            queries.add(string(data, data.getInt()));
        }
        if (data.hasRemaining()) {
            throw new IllegalArgumentException("trailing bytes");
        }
        boolean set = option == OPT_SET_META_CONTEXT;
        // The spec: without structured replies a server SHOULD refuse LIST as well as SET.
        if (!structured) {
            reply(option, REP_ERR_INVALID, "negotiate NBD_OPT_STRUCTURED_REPLY first");
            return;
        }
        if (!exports.containsKey(name)) {
            reply(option, REP_ERR_UNKNOWN, "no export named '" + name + "'");
            return;
        }
        boolean match = set
                ? queries.contains(MetaContext.BASE_ALLOCATION)
                : queries.isEmpty() || queries.contains(MetaContext.BASE_ALLOCATION) || queries.contains("base:");
        if (set) {
            contextExport = match ? name : null; // each SET replaces the previous selection
        }
        if (match) {
            byte[] ctx = MetaContext.BASE_ALLOCATION.getBytes(StandardCharsets.UTF_8);
            reply(option, REP_META_CONTEXT, ByteBuffer.allocate(4 + ctx.length)
                    .putInt(set ? ALLOCATION_CONTEXT_ID : 0).put(ctx).array());
        }
        ack(option);
    }

    private static String string(ByteBuffer data, int length) {
        if (length < 0 || length > MAX_STRING || length > data.remaining()) {
            throw new IllegalArgumentException("bad string length");
        }
        byte[] b = new byte[length];
        data.get(b);
        return Wire.utf8(b);
    }

    private void ack(int option) throws IOException {
        reply(option, REP_ACK, new byte[0]);
    }

    private void reply(int option, int type, String message) throws IOException {
        reply(option, type, message.getBytes(StandardCharsets.UTF_8));
    }

    private void reply(int option, int type, byte[] payload) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(20).putLong(OPTION_REPLY_MAGIC).putInt(option).putInt(type)
                .putInt(payload.length).flip();
        wire.writeFully(header, ByteBuffer.wrap(payload));
    }
}
