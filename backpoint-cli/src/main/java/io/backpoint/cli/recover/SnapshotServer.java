package io.backpoint.cli.recover;

import java.nio.file.Path;

/**
 * What serves the snapshot's disks as NBD exports named after the disks, on a unix socket.
 * Recover only needs to start it, know whether it is alive and stop it: who serves (Backpoint's
 * {@code serve}, or {@code qemu-nbd} in tests) is not its business.
 */
interface SnapshotServer {
    /** The socket the exports are on; it is recorded in the overlays, so it never changes. */
    Path socket();

    boolean alive();

    /** Starts serving unless it already does; returns once the socket accepts connections. */
    void start();

    /** Stops serving (if it does) and removes what it recorded. */
    void stop();
}
