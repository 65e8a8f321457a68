package io.backpoint.cli.recover;

import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.qemu.testing.TestVm.Disk;
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
import java.util.ArrayList;
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
        this.uri = TestVm.uri(root.resolve("state"));
        this.conn = Connection.open(uri);
        List<Disk> disks = new ArrayList<>();
        for (String d : List.of("vda", "vdb")) {
            disks.add(Disk.create(d, root.resolve("src-" + d + ".qcow2"), "qcow2", SIZES.get(d)));
        }
        Domain src = conn.defineDomain(TestVm.domainXml("src", disks));
        src.start();
        TestVm.guestWrite(src, 0, 0xa1, 0, 3 * MIB);
        TestVm.guestWrite(src, 0, 0xa2, 40 * MIB, 5 * MIB + 4096);
        TestVm.guestWrite(src, 0, 0x00, MIB, MIB);
        TestVm.guestWrite(src, 1, 0xb1, 7 * MIB, 9 * MIB);
        TestVm.guestWrite(src, 1, 0xb2, 31 * MIB, MIB);
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

    /** {@code qemu-img compare}: 0 when the images read the same. */
    static int compare(Path overlay, Path raw) throws Exception {
        return Tools.status("qemu-img", "compare", "-U", "-f", "qcow2", "-F", "raw", overlay.toString(), raw.toString());
    }

    @Override
    public void close() {
        try {
            TestVm.destroyAll(conn);
        } finally {
            conn.close();
        }
    }
}
