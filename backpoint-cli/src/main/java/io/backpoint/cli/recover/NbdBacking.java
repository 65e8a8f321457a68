package io.backpoint.cli.recover;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;

/**
 * The backing of an overlay: a raw NBD export on a unix socket, spelled as a {@code json:}
 * pseudo-file so QEMU's {@code reconnect-delay} can be set: when the server is restarted, QEMU
 * reconnects by itself, and I/O waits up to the delay before failing with EIO.
 */
final class NbdBacking {
    /** Seconds QEMU holds I/O while it reconnects to a server that went away. */
    static final int RECONNECT_DELAY = 10;

    private NbdBacking() {}

    static String spec(Path socket, String export) {
        ObjectNode server = JsonNodeFactory.instance.objectNode().put("type", "unix").put("path", socket.toString());
        ObjectNode nbd = JsonNodeFactory.instance.objectNode().put("driver", "nbd");
        nbd.set("server", server);
        nbd.put("export", export).put("reconnect-delay", RECONNECT_DELAY);
        ObjectNode raw = JsonNodeFactory.instance.objectNode().put("driver", "raw");
        raw.set("file", nbd);
        return "json:" + raw;
    }
}
