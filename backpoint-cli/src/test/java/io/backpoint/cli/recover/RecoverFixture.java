package io.backpoint.cli.recover;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.repo.Compression;
import io.backpoint.repo.Repository;
import io.backpoint.repo.Restore;
import io.backpoint.repo.Snapshot;
import io.backpoint.repo.backup.BackupEngine;
import io.backpoint.repo.backup.BackupListener;
import io.backpoint.repo.backup.BackupOptions;
import io.backpoint.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot to recover: a running domain {@code src} with two qcow2 disks, guest writes made
 * through the monitor, one backup into a repository, and the restore of each disk as the oracle.
 */
final class RecoverFixture implements AutoCloseable {
    static final long MIB = 1L << 20;
    static final Map<String, Long> SIZES = Map.of("vda", 64 * MIB, "vdb", 32 * MIB);

    final Path root;
    final String uri;
    final Connection conn;
    final Path repo;
    final Snapshot snapshot;
    /** The restore of each disk of the snapshot (raw): what a recovered disk must equal. */
    final Map<String, Path> restored = new LinkedHashMap<>();

    RecoverFixture(Path root) throws Exception {
        this.root = root;
        this.uri = "qemu:///embed?root=" + root.resolve("state");
        this.conn = Connection.open(uri);
        StringBuilder disks = new StringBuilder();
        for (String d : List.of("vda", "vdb")) {
            Path image = root.resolve("src-" + d + ".qcow2");
            Tools.run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), Long.toString(SIZES.get(d)));
            disks.append("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='")
                    .append(image).append("'/><target dev='").append(d).append("' bus='virtio'/></disk>");
        }
        Domain src = conn.defineDomain("<domain type='qemu'><name>src</name><memory unit='MiB'>128</memory>"
                + "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>" + disks
                + "</devices></domain>");
        src.start();
        write(src, 0, "0xa1", 0, 3 * MIB);
        write(src, 0, "0xa2", 40 * MIB, 5 * MIB + 4096);
        write(src, 0, "0x00", MIB, MIB);
        write(src, 1, "0xb1", 7 * MIB, 9 * MIB);
        write(src, 1, "0xb2", 31 * MIB, MIB);
        repo = root.resolve("repo");
        Repository.init(repo.toString(), (int) MIB, Compression.ZSTD).close();
        try (Repository r = Repository.open(repo.toString())) {
            snapshot = new BackupEngine(conn, r, Clock.systemUTC(), Files.createDirectories(root.resolve("tmp")))
                    .backup(new BackupOptions("src", List.of(), false), new BackupListener() {});
            Restore restore = new Restore(r);
            for (String d : List.of("vda", "vdb")) {
                Path out = root.resolve("oracle-" + d + ".raw");
                restore.disk(snapshot, d, out, "raw");
                restored.put(d, out);
            }
        }
        src.destroy();
    }

    static void write(Domain dom, int index, String pattern, long offset, long length) {
        String reply = dom.monitorCommand("qemu-io -d /machine/peripheral/virtio-disk" + index + "/virtio-backend \"write -P "
                + pattern + " " + offset + " " + length + "\"", true);
        assertThat(reply).doesNotContainIgnoringCase("error").doesNotContain("failed");
    }

    /** {@code qemu-img compare}: 0 when the images read the same. */
    static int compare(Path overlay, Path raw) throws Exception {
        return Tools.status("qemu-img", "compare", "-U", "-f", "qcow2", "-F", "raw", overlay.toString(), raw.toString());
    }

    @Override
    public void close() {
        for (Domain d : conn.listAllDomains()) {
            if (d.state().active()) {
                d.destroy();
            }
        }
        conn.close();
    }
}
