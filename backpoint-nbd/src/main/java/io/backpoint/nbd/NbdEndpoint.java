package io.backpoint.nbd;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where an {@link NbdServer} listens: a unix socket (the default: only users who can reach the
 * file connect) or a TCP address.
 */
public record NbdEndpoint(Path socket, InetSocketAddress tcp) {
    public NbdEndpoint {
        if ((socket == null) == (tcp == null)) {
            throw new IllegalArgumentException("an endpoint is a unix socket or a TCP address");
        }
    }

    public static NbdEndpoint unix(Path socket) {
        return new NbdEndpoint(Objects.requireNonNull(socket, "socket").toAbsolutePath(), null);
    }

    public static NbdEndpoint tcp(InetSocketAddress address) {
        return new NbdEndpoint(null, Objects.requireNonNull(address, "address"));
    }

    public boolean isUnix() {
        return socket != null;
    }

    /** Whether only this machine can connect: a unix socket or a loopback address. */
    public boolean isLocal() {
        if (socket != null) {
            return true;
        }
        InetAddress address = tcp.getAddress();
        return address != null && address.isLoopbackAddress();
    }

    /** The NBD URI of {@code export} at this endpoint, as nbdinfo, nbdcopy and qemu-img take it. */
    public String uri(String export) {
        if (socket != null) {
            return "nbd+unix:///" + export + "?socket=" + socket;
        }
        String host = tcp.getAddress() instanceof java.net.Inet6Address
                ? "[" + tcp.getAddress().getHostAddress() + "]" : tcp.getAddress().getHostAddress();
        return "nbd://" + host + ":" + tcp.getPort() + "/" + export;
    }

    @Override
    public String toString() {
        return socket != null ? socket.toString() : tcp.getAddress().getHostAddress() + ":" + tcp.getPort();
    }
}
