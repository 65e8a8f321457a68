package io.backpoint.nbd;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted NBD server on TCP loopback for what real servers won't do on demand: bad magic,
 * oversized lengths, unknown cookies, silence, short or overlapping reads. It serves an
 * in-memory disk correctly unless told to misbehave with a {@link Fault}. One client at a time.
 */
final class FakeNbdServer implements AutoCloseable {
    enum Fault {
        NONE, BAD_GREETING_MAGIC, OVERSIZED_OPTION_REPLY, NO_STRUCTURED_REPLIES, BAD_REPLY_MAGIC,
        OVERSIZED_CHUNK, UNKNOWN_COOKIE, STALL, ERROR_CHUNK_ONCE, SHORT_READ, SPLIT_READ, OVERLAPPING_CHUNKS,
        CLOSE_MID_READ, ONE_EXTENT_PER_STATUS, HUGE_STATUS_CHUNK,
        /** No structured replies; the first READ gets a simple reply carrying EIO. */
        SIMPLE_ERROR_ONCE,
        /** An error chunk whose message is longer than the chunk. */
        BAD_ERROR_CHUNK,
        /** The connection closes once the client has answered the greeting. */
        CLOSE_IN_HANDSHAKE
    }

    static final String EXPORT = "disk";
    static final int CONTEXT_ID = 7;
    static final int EXTENT = 65536;

    private final byte[] disk;
    private final Fault fault;
    private final ServerSocket listener;
    private final Thread thread;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile Socket client;
    private boolean structured;
    private boolean errorSent;

    FakeNbdServer(byte[] disk, Fault fault) throws IOException {
        this.disk = disk;
        this.fault = fault;
        this.listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        this.thread = new Thread(this::serve, "fake-nbd-server");
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    /** Commands received in transmission, e.g. "BLOCK_STATUS 0 1048576". */
    List<String> requests() {
        return requests;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        Socket s = client;
        if (s != null) {
            s.close();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve() {
        while (!listener.isClosed()) {
            try (Socket s = listener.accept()) {
                client = s;
                structured = false;
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                if (handshake(in, out)) {
                    transmission(in, out);
                }
            } catch (IOException e) {
                // Client went away or the test closed us.
            }
        }
    }

    private boolean handshake(DataInputStream in, DataOutputStream out) throws IOException {
        out.writeLong(fault == Fault.BAD_GREETING_MAGIC ? 0x1122334455667788L : NbdProtocol.NBDMAGIC);
        out.writeLong(NbdProtocol.IHAVEOPT);
        out.writeShort(NbdProtocol.FLAG_FIXED_NEWSTYLE | NbdProtocol.FLAG_NO_ZEROES);
        out.flush();
        in.readInt();
        if (fault == Fault.CLOSE_IN_HANDSHAKE) {
            client.close();
            return false;
        }
        while (true) {
            if (in.readLong() != NbdProtocol.IHAVEOPT) {
                return false;
            }
            int option = in.readInt();
            byte[] data = new byte[in.readInt()];
            in.readFully(data);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(data);
            switch (option) {
                case NbdProtocol.OPT_STRUCTURED_REPLY -> {
                    if (fault == Fault.OVERSIZED_OPTION_REPLY) {
                        optionReplyHeader(out, option, NbdProtocol.REP_ACK, 0x7ffffff0);
                        out.flush();
                        stall();
                    } else if (fault == Fault.NO_STRUCTURED_REPLIES || fault == Fault.SIMPLE_ERROR_ONCE) {
                        optionReply(out, option, NbdProtocol.REP_ERR_UNSUP, new byte[0]);
                    } else {
                        structured = true;
                        optionReply(out, option, NbdProtocol.REP_ACK, new byte[0]);
                    }
                }
                case NbdProtocol.OPT_SET_META_CONTEXT -> {
                    b.position(4 + b.getInt());
                    int n = b.getInt();
                    for (int i = 0; i < n; i++) {
                        byte[] q = new byte[b.getInt()];
                        b.get(q);
                        if (new String(q, StandardCharsets.UTF_8).equals(MetaContext.BASE_ALLOCATION)) {
                            byte[] reply = java.nio.ByteBuffer.allocate(4 + q.length).putInt(CONTEXT_ID).put(q).array();
                            optionReply(out, option, NbdProtocol.REP_META_CONTEXT, reply);
                        }
                    }
                    optionReply(out, option, NbdProtocol.REP_ACK, new byte[0]);
                }
                case NbdProtocol.OPT_GO -> {
                    byte[] name = new byte[b.getInt()];
                    b.get(name);
                    if (!new String(name, StandardCharsets.UTF_8).equals(EXPORT)) {
                        optionReply(out, option, NbdProtocol.REP_ERR_UNKNOWN,
                                "no such export".getBytes(StandardCharsets.UTF_8));
                        continue;
                    }
                    int flags = NbdProtocol.TFLAG_HAS_FLAGS | NbdProtocol.TFLAG_SEND_FLUSH
                            | NbdProtocol.TFLAG_SEND_WRITE_ZEROES;
                    byte[] info = java.nio.ByteBuffer.allocate(12).putShort((short) NbdProtocol.INFO_EXPORT)
                            .putLong(disk.length).putShort((short) flags).array();
                    optionReply(out, option, NbdProtocol.REP_INFO, info);
                    optionReply(out, option, NbdProtocol.REP_ACK, new byte[0]);
                    return true;
                }
                case NbdProtocol.OPT_ABORT -> {
                    optionReply(out, option, NbdProtocol.REP_ACK, new byte[0]);
                    return false;
                }
                default -> optionReply(out, option, NbdProtocol.REP_ERR_UNSUP, new byte[0]);
            }
        }
    }

    private void transmission(DataInputStream in, DataOutputStream out) throws IOException {
        while (true) {
            if (in.readInt() != NbdProtocol.REQUEST_MAGIC) {
                return;
            }
            in.readShort();
            int type = in.readShort();
            long cookie = in.readLong();
            long offset = in.readLong();
            int length = in.readInt();
            requests.add(NbdProtocol.commandName(type).substring(8) + " " + offset + " " + length);
            switch (type) {
                case NbdProtocol.CMD_READ -> read(out, cookie, (int) offset, length);
                case NbdProtocol.CMD_WRITE -> {
                    in.readFully(disk, (int) offset, length);
                    simpleReply(out, cookie, 0);
                }
                case NbdProtocol.CMD_WRITE_ZEROES -> {
                    java.util.Arrays.fill(disk, (int) offset, (int) offset + length, (byte) 0);
                    simpleReply(out, cookie, 0);
                }
                case NbdProtocol.CMD_FLUSH -> simpleReply(out, cookie, 0);
                case NbdProtocol.CMD_BLOCK_STATUS -> blockStatus(out, cookie, offset, length);
                case NbdProtocol.CMD_DISC -> {
                    return;
                }
                default -> simpleReply(out, cookie, NbdError.EINVAL.code());
            }
            out.flush();
        }
    }

    private void read(DataOutputStream out, long cookie, int offset, int length) throws IOException {
        if (!structured) {
            if (fault == Fault.SIMPLE_ERROR_ONCE && !errorSent) {
                errorSent = true;
                simpleReply(out, cookie, NbdError.EIO.code());
                return;
            }
            simpleReply(out, cookie, 0);
            out.write(disk, offset, length);
            return;
        }
        switch (fault) {
            case BAD_REPLY_MAGIC -> {
                out.writeInt(0x12345678);
                out.writeInt(0);
                out.writeLong(cookie);
            }
            case OVERSIZED_CHUNK -> {
                chunkHeader(out, NbdProtocol.REPLY_FLAG_DONE, NbdProtocol.REPLY_TYPE_OFFSET_DATA, cookie, 0xfffffff0);
                out.flush();
                stall();
            }
            case UNKNOWN_COOKIE -> dataChunk(out, cookie + 1000, offset, offset, length, true);
            case STALL -> stall();
            case ERROR_CHUNK_ONCE -> {
                if (!errorSent) {
                    errorSent = true;
                    byte[] msg = "disk on fire".getBytes(StandardCharsets.UTF_8);
                    chunkHeader(out, NbdProtocol.REPLY_FLAG_DONE, NbdProtocol.REPLY_TYPE_ERROR, cookie, 6 + msg.length);
                    out.writeInt(NbdError.EIO.code());
                    out.writeShort(msg.length);
                    out.write(msg);
                } else {
                    dataChunk(out, cookie, offset, offset, length, true);
                }
            }
            case BAD_ERROR_CHUNK -> {
                byte[] msg = "short".getBytes(StandardCharsets.UTF_8);
                chunkHeader(out, NbdProtocol.REPLY_FLAG_DONE, NbdProtocol.REPLY_TYPE_ERROR, cookie, 6 + msg.length);
                out.writeInt(NbdError.EIO.code());
                out.writeShort(200);
                out.write(msg);
            }
            case SHORT_READ -> dataChunk(out, cookie, offset, offset, length / 2, true);
            case SPLIT_READ -> {
                int half = length / 2;
                dataChunk(out, cookie, offset, offset + half, length - half, false);
                dataChunk(out, cookie, offset, offset, half, false);
                chunkHeader(out, NbdProtocol.REPLY_FLAG_DONE, NbdProtocol.REPLY_TYPE_NONE, cookie, 0);
            }
            case OVERLAPPING_CHUNKS -> {
                dataChunk(out, cookie, offset, offset, length / 2 + 512, false);
                dataChunk(out, cookie, offset, offset + length / 2, length / 2, true);
            }
            case CLOSE_MID_READ -> {
                chunkHeader(out, NbdProtocol.REPLY_FLAG_DONE, NbdProtocol.REPLY_TYPE_OFFSET_DATA, cookie, 8 + length);
                out.writeLong(offset);
                out.write(disk, offset, length / 2);
                out.flush();
                client.close();
            }
            default -> dataChunk(out, cookie, offset, offset, length, true);
        }
    }

    private void blockStatus(DataOutputStream out, long cookie, long offset, int length) throws IOException {
        if (fault == Fault.HUGE_STATUS_CHUNK) {
            chunkHeader(out, NbdProtocol.REPLY_FLAG_DONE, NbdProtocol.REPLY_TYPE_BLOCK_STATUS, cookie, 0x7ffffffc);
            out.flush();
            stall();
        }
        // Alternating 64 KiB extents of data (0) and hole+zero (3), or just one if asked to skimp.
        long end = Math.min(offset + Integer.toUnsignedLong(length), disk.length);
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(body);
        d.writeInt(CONTEXT_ID);
        long at = offset;
        do {
            long next = Math.min((at / EXTENT + 1) * EXTENT, end);
            d.writeInt((int) (next - at));
            d.writeInt((at / EXTENT) % 2 == 0 ? 0 : 3);
            at = next;
        } while (at < end && fault != Fault.ONE_EXTENT_PER_STATUS);
        chunkHeader(out, NbdProtocol.REPLY_FLAG_DONE, NbdProtocol.REPLY_TYPE_BLOCK_STATUS, cookie, body.size());
        body.writeTo(out);
    }

    private void dataChunk(DataOutputStream out, long cookie, int requestOffset, int at, int length, boolean done)
            throws IOException {
        chunkHeader(out, done ? NbdProtocol.REPLY_FLAG_DONE : 0, NbdProtocol.REPLY_TYPE_OFFSET_DATA, cookie, 8 + length);
        out.writeLong(at);
        out.write(disk, at, length);
    }

    private static void chunkHeader(DataOutputStream out, int flags, int type, long cookie, int length)
            throws IOException {
        out.writeInt(NbdProtocol.STRUCTURED_REPLY_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(cookie);
        out.writeInt(length);
    }

    private static void simpleReply(DataOutputStream out, long cookie, int error) throws IOException {
        out.writeInt(NbdProtocol.SIMPLE_REPLY_MAGIC);
        out.writeInt(error);
        out.writeLong(cookie);
    }

    private static void optionReplyHeader(DataOutputStream out, int option, int type, int length) throws IOException {
        out.writeLong(NbdProtocol.OPTION_REPLY_MAGIC);
        out.writeInt(option);
        out.writeInt(type);
        out.writeInt(length);
    }

    private static void optionReply(DataOutputStream out, int option, int type, byte[] data) throws IOException {
        optionReplyHeader(out, option, type, data.length);
        out.write(data);
        out.flush();
    }

    /** Says nothing more until the client gives up and closes the socket. */
    private void stall() throws IOException {
        InputStream in = client.getInputStream();
        byte[] sink = new byte[4096];
        while (in.read(sink) >= 0) {
            // Swallow whatever the client still sends.
        }
        throw new IOException("client left");
    }
}
