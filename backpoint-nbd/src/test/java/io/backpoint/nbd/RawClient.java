package io.backpoint.nbd;

import static io.backpoint.nbd.NbdProtocol.*;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Speaks NBD byte by byte, to send what a well-behaved client (ours, libnbd) never sends: unknown
 * options, reads past the end, writes to a read-only export.
 */
final class RawClient implements AutoCloseable {
    record OptionReply(int option, int type, byte[] data) {
    }

    record Reply(int flags, int type, long cookie, byte[] payload) {
        int error() {
            return ByteBuffer.wrap(payload).getInt();
        }
    }

    private final SocketChannel channel;
    private final Wire wire;

    RawClient(Path socket) throws IOException {
        channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        wire = new Wire(channel);
        if (wire.readLong() != NBDMAGIC || wire.readLong() != IHAVEOPT) {
            throw new IOException("bad greeting");
        }
        wire.readUnsignedShort();
        wire.writeFully(ByteBuffer.allocate(4).putInt(0, FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES));
    }

    OptionReply option(int option, byte[] data) throws IOException {
        wire.writeFully(ByteBuffer.allocate(16).putLong(IHAVEOPT).putInt(option).putInt(data.length).flip(),
                ByteBuffer.wrap(data));
        return readOptionReply();
    }

    OptionReply readOptionReply() throws IOException {
        if (wire.readLong() != OPTION_REPLY_MAGIC) {
            throw new IOException("bad option reply magic");
        }
        int option = wire.readInt();
        int type = wire.readInt();
        return new OptionReply(option, type, wire.readBytes(wire.readInt()));
    }

    /** Structured replies, then NBD_OPT_GO on {@code export}, reading every reply up to the ACK. */
    void go(String export) throws IOException {
        if (option(OPT_STRUCTURED_REPLY, new byte[0]).type() != REP_ACK) {
            throw new IOException("no structured replies");
        }
        byte[] name = export.getBytes(StandardCharsets.UTF_8);
        OptionReply r = option(OPT_GO, ByteBuffer.allocate(6 + name.length).putInt(name.length).put(name)
                .putShort((short) 0).array());
        while (r.type() == REP_INFO) {
            r = readOptionReply();
        }
        if (r.type() != REP_ACK) {
            throw new IOException("NBD_OPT_GO refused: " + r.type());
        }
    }

    void request(int type, long cookie, long offset, int length, byte[] payload) throws IOException {
        request(0, type, cookie, offset, length, payload);
    }

    void request(int flags, int type, long cookie, long offset, int length, byte[] payload) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(28).putInt(REQUEST_MAGIC).putShort((short) flags).putShort((short) type)
                .putLong(cookie).putLong(offset).putInt(length).flip();
        wire.writeFully(header, ByteBuffer.wrap(payload));
    }

    Reply reply() throws IOException {
        if (wire.readInt() != STRUCTURED_REPLY_MAGIC) {
            throw new IOException("not a structured reply");
        }
        int flags = wire.readUnsignedShort();
        int type = wire.readUnsignedShort();
        long cookie = wire.readLong();
        return new Reply(flags, type, cookie, wire.readBytes(wire.readInt()));
    }

    /** True when the server closed the connection. */
    boolean closedByServer() throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        return channel.read(one) < 0;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
