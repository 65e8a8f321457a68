package io.backpoint.qemu.driver;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.util.OwnerOnly;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

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
        if (uri.getRawAuthority() != null) {
            // qemu://HOST/... means libvirtd on HOST; this driver acts on this machine only, and
            // acting locally on a URI that names another host would touch the wrong VMs.
            throw BackpointException.of(ErrorCode.NO_CONNECT,
                    "no connection driver available for %s: the daemonless QEMU driver acts on this machine only and cannot go to '%s'; use qemu:///embed?root=DIR here, or the libvirt driver (backpoint-libvirt) for libvirtd",
                    uri, uri.getRawAuthority());
        }
        requirePrintable(uri, uri.getPath());
        requirePrintable(uri, uri.getQuery());
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

    /** Decoded parts become file names: a NUL or control character (%00, %0A) is refused, not passed on. */
    private static void requirePrintable(URI uri, String part) {
        if (part != null && part.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw BackpointException.of(ErrorCode.INVALID_ARG,
                    "URI '%s' holds a control character (such as %%00): not allowed in a path or parameter", uri);
        }
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

    /**
     * Before a domain is locked: the state it reads is this user's alone. Directories of ours that
     * an older version left looser than 0700 are tightened; anything owned by another user
     * (who could have planted a job record naming files to delete) is refused.
     */
    void requireOwnState(String name) throws IOException {
        OwnerOnly.requireOwned(root);
        for (Path dir : List.of(domainsDir(), root.resolve("checkpoint"), root.resolve("run"), root.resolve("lock"),
                root.resolve("backup"), checkpointDir(name), runDir(name), backupDir(name))) {
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                OwnerOnly.requireOwnDirectory(dir);
            }
        }
        OwnerOnly.requireOwned(domainFile(name));
        for (Path dir : List.of(checkpointDir(name), runDir(name), backupDir(name))) {
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        OwnerOnly.requireOwned(f);
                    }
                }
            }
        }
    }

    Path nextIdFile() {
        return root.resolve("run").resolve("next-id");
    }
}
