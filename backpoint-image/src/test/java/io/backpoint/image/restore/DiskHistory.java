package io.backpoint.image.restore;

import io.backpoint.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A live disk and its backups made the way a push backup makes them, with real qemu-img and
 * qemu-io and no VM: guest writes go to the live qcow2; a full backup is a copy of it; an
 * incremental is a qcow2 backed by the live disk into which the same writes are made, so only
 * the changed clusters are allocated in it. Snapshots of the live disk (raw) are the truth a
 * restore is compared with.
 */
final class DiskHistory {
    static final long SIZE = 8L << 20;

    private final Path dir;
    private final Path live;
    private final long size;

    DiskHistory(Path dir) throws IOException, InterruptedException {
        this(dir, "live.qcow2", SIZE);
    }

    DiskHistory(Path dir, String liveName, long size) throws IOException, InterruptedException {
        assumeTools();
        this.dir = dir;
        this.live = dir.resolve(liveName);
        this.size = size;
        Tools.run("qemu-img", "create", "-q", "-f", "qcow2", live.toString(), Long.toString(size));
    }

    static void assumeTools() {
        Assumptions.assumeTrue(Tools.onPath("qemu-img") && Tools.onPath("qemu-io"), "qemu-img and qemu-io are needed");
    }


    Path live() {
        return live;
    }

    long size() {
        return size;
    }

    /** Guest writes: qemu-io commands ("write -P 0x11 0 64k", "write -z ...", "discard ...") on the live disk. */
    void guestWrites(String... commands) throws IOException, InterruptedException {
        qemuIo(live, commands);
    }

    /** A full backup of the live disk as it is now. */
    Path full(String name, ImageFormat format) throws IOException, InterruptedException {
        Path target = dir.resolve(name);
        Tools.run("qemu-img", "convert", "-f", "qcow2", "-O", format.spelling(), live.toString(), target.toString());
        return target;
    }

    /**
     * The guest writes {@code guest} on the live disk, then an incremental push backup copies the
     * changed ranges ({@code copied}: the same ranges, zero writes for discarded ones) into a new
     * qcow2 backed by the live disk.
     */
    Path incremental(String name, String[] guest, String... copied) throws IOException, InterruptedException {
        Path target = dir.resolve(name);
        Tools.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", live.toString(), "-F", "qcow2",
                target.toString(), Long.toString(size));
        guestWrites(guest);
        qemuIo(target, copied);
        return target;
    }

    /** Same ranges written on the live disk and into the incremental. */
    Path incremental(String name, String... writes) throws IOException, InterruptedException {
        return incremental(name, writes, writes);
    }

    /** The live disk as it is now, as a raw file. */
    Path snapshot(String name) throws IOException, InterruptedException {
        Path target = dir.resolve(name);
        Tools.run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", live.toString(), target.toString());
        return target;
    }

    static void qemuIo(Path image, String... commands) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        cmd.add(image.toString());
        Tools.run(cmd.toArray(String[]::new));
    }


    /** Exit status of qemu-img compare: 0 identical, 1 different. */
    static int compare(Path a, ImageFormat fa, Path b, ImageFormat fb) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("qemu-img", "compare", "-q", "-f", fa.spelling(), "-F", fb.spelling(),
                a.toString(), b.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(120, TimeUnit.SECONDS);
        return p.exitValue();
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
