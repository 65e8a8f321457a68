package io.backpoint.qemu.driver;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.net.URI;
import java.nio.file.Path;

/**
 * Where a daemonless QEMU connection keeps its state: {@code qemu:///embed?root=DIR} in DIR; a
 * plain {@code qemu:///embed} in /var/lib/backpoint for root, the user's data directory otherwise.
 *
 * <pre>
 * ROOT/domains/NAME.xml            persistent domain definitions
 * ROOT/checkpoint/NAME/CHK.xml     checkpoint metadata (one file per checkpoint)
 * ROOT/run/NAME/                   a running domain: pid file, QMP socket, live definition
 * ROOT/lock/NAME.lock              the domain's lock file
 * ROOT/backup/NAME/                the domain's backup job record
 * </pre>
 */
record StateLayout(String uri, Path root) {
    static StateLayout of(URI uri) {
        String path = uri.getPath();
        // Already percent-decoded; URLDecoder would also turn '+' into a space.
        String query = uri.getQuery();
        if (!"/embed".equals(path)) {
            // qemu:///system and qemu:///session mean libvirtd, as in virsh (the libvirt driver).
            throw BackpointException.of(ErrorCode.NO_CONNECT,
                    "unexpected QEMU URI path '%s' for the daemonless driver, try qemu:///embed or qemu:///embed?root=DIR", path);
        }
        String root = null;
        if (query != null) {
            for (String kv : query.split("&")) {
                if (kv.startsWith("root=")) {
                    root = kv.substring(5);
                } else {
                    throw BackpointException.of(ErrorCode.INVALID_ARG, "unknown parameter '%s' in URI '%s'", kv, uri);
                }
            }
        }
        if (root == null) {
            return new StateLayout("qemu:///embed", defaultRoot());
        }
        if (root.isEmpty() || !root.startsWith("/")) {
            throw BackpointException.of(ErrorCode.INVALID_ARG,
                    "URI '%s' needs an absolute root directory: qemu:///embed?root=/path", uri);
        }
        Path r = Path.of(root).normalize();
        return new StateLayout("qemu:///embed?root=" + r, r);
    }

    /** A plain qemu:///embed: /var/lib/backpoint for root, the user's data directory otherwise. */
    static Path defaultRoot() {
        if ("root".equals(System.getProperty("user.name"))) {
            return Path.of("/var/lib/backpoint");
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("backpoint");
    }

    Path domainsDir() {
        return root.resolve("domains");
    }

    Path domainFile(String name) {
        return domainsDir().resolve(name + ".xml");
    }

    Path checkpointDir(String name) {
        return root.resolve("checkpoint").resolve(name);
    }

    Path runDir(String name) {
        return root.resolve("run").resolve(name);
    }

    Path lockFile(String name) {
        return root.resolve("lock").resolve(name + ".lock");
    }

    Path backupDir(String name) {
        return root.resolve("backup").resolve(name);
    }

    Path nextIdFile() {
        return root.resolve("run").resolve("next-id");
    }
}
