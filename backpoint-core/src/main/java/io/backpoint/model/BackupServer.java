package io.backpoint.model;

import java.util.Objects;

/**
 * The NBD server of a pull backup ({@code <server>}).
 *
 * @param transport tcp, unix or fd; tcp when the document named none
 * @param name host name or address to listen on (tcp), or null
 * @param port TCP port, or null when not given (0 is treated as not given when printing)
 * @param socket absolute unix socket path (unix), or null
 * @param fdgroup name of the fd group holding the listening socket (fd), or null
 * @param tls TLS on or off, or null when the document did not say
 */
public record BackupServer(BackupTransport transport, String name, Integer port, String socket, String fdgroup,
        Boolean tls) {
    public BackupServer {
        Objects.requireNonNull(transport, "transport");
    }

    public static BackupServer tcp(String name, Integer port) {
        return new BackupServer(BackupTransport.TCP, name, port, null, null, null);
    }

    public static BackupServer unix(String socket) {
        return new BackupServer(BackupTransport.UNIX, null, null, socket, null, null);
    }

    public BackupServer withPort(Integer newPort) {
        return new BackupServer(transport, name, newPort, socket, fdgroup, tls);
    }

    public BackupServer withName(String newName) {
        return new BackupServer(transport, newName, port, socket, fdgroup, tls);
    }

    public BackupServer withTls(Boolean newTls) {
        return new BackupServer(transport, name, port, socket, fdgroup, newTls);
    }
}
