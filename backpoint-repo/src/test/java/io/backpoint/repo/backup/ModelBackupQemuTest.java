package io.backpoint.repo.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.repo.Compression;
import io.backpoint.repo.DiskIndex;
import io.backpoint.repo.DiskMode;
import io.backpoint.repo.IndexRestore;
import io.backpoint.repo.Repository;
import io.backpoint.repo.Restore;
import io.backpoint.repo.Snapshot;
import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model-based: a VM with two qcow2 disks, seeded random guest writes between ten backups (data over
 * old data, zeroes, discards); every snapshot, restored from its index alone, equals the model of
 * the disk at that backup: SHA-256 of the chunks read straight from the index, and the restore
 * command's raw output against a raw image of the model with qemu-img compare.
 */
@QemuTest
class ModelBackupQemuTest {
    private static final long MIB = BackupVm.MIB;
    private static final int CHUNK = 256 << 10;
    private static final long CLUSTER = 64 << 10;

    @TempDir
    Path root;

    @Test
    void tenSnapshotsEachRestoreToTheDiskAsItWasThen() throws Exception {
        // vdb's size is not a multiple of the chunk size: its last chunk is short.
        Map<String, Long> sizes = Map.of("vda", 24 * MIB, "vdb", 20 * MIB + 3 * 512);
        Random random = new Random(11);
        try (BackupVm vm = new BackupVm(root, "vm1", new java.util.TreeMap<>(sizes));
                Repository repo = Repository.init(root.resolve("repo").toString(), CHUNK, Compression.ZSTD)) {
            BackupEngine engine = new BackupEngine(vm.connection(), repo, Clock.systemUTC(), root);
            List<Snapshot> snapshots = new ArrayList<>();
            List<Map<String, byte[]>> expected = new ArrayList<>();
            for (int round = 0; round < 10; round++) {
                for (String disk : vm.disks()) {
                    guestWrites(vm, disk, sizes.get(disk), random, round == 0 ? 12 : 4);
                }
                if (round == 0) {
                    vm.write("vda", 0, 2 * MIB, 0x5a);
                } else if (round == 5) {
                    // Whole chunks that held data now read as zero: the incremental must record them.
                    vm.writeZeroes("vda", 0, MIB);
                }
                List<String> notes = new ArrayList<>();
                Snapshot s = engine.backup(new BackupOptions("vm1", List.of(), false), new BackupListener() {
                    @Override
                    public void note(String line) {
                        notes.add(line);
                    }
                });
                snapshots.add(s);
                Map<String, byte[]> models = new LinkedHashMap<>();
                for (String disk : vm.disks()) {
                    models.put(disk, vm.model(disk));
                }
                expected.add(models);
                for (DiskIndex d : s.disks()) {
                    if (round == 0) {
                        assertThat(d.mode()).isEqualTo(DiskMode.FULL);
                        assertThat(d.reason()).contains("no previous snapshot");
                    } else {
                        assertThat(d.mode()).as("round %d %s: %s", round, d.name(), notes).isEqualTo(DiskMode.INCREMENTAL);
                        assertThat(d.bytesRead()).as("an incremental reads only what changed").isLessThan(d.size() / 2);
                    }
                }
            }
            for (int i = 0; i < snapshots.size(); i++) {
                Snapshot s = repo.snapshot(snapshots.get(i).id());
                for (DiskIndex d : s.disks()) {
                    byte[] model = expected.get(i).get(d.name());
                    Path restored = root.resolve("r-" + i + "-" + d.name() + ".raw");
                    Path oracle = root.resolve("m-" + i + "-" + d.name() + ".raw");
                    new Restore(repo).disk(s, d.name(), restored, "raw");
                    Files.write(oracle, model);
                    Tools.run("qemu-img", "compare", "-f", "raw", "-F", "raw", oracle.toString(),
                            restored.toString());
                    assertThat(IndexRestore.sha256(repo, d)).as("snapshot %d disk %s", i, d.name())
                            .isEqualTo(sha256(model));

                    Files.delete(restored);
                    Files.delete(oracle);
                }
            }
            // Exactly one checkpoint of the repository is left: the last snapshot's.
            assertThat(vm.domain().listCheckpoints(0)).extracting(c -> c.name())
                    .containsExactly(snapshots.get(snapshots.size() - 1).checkpointName());
        }
    }

    /** Data over old data, zeroes and cluster-aligned discards at seeded random places. */
    private static void guestWrites(BackupVm vm, String disk, long size, Random random, int count) {
        for (int i = 0; i < count; i++) {
            long length = (1 + random.nextInt(256)) * 512L * (random.nextInt(4) == 0 ? 8 : 1);
            long offset = Math.min(size - length, (long) random.nextInt((int) (size / 512)) * 512);
            switch (random.nextInt(6)) {
                case 0 -> vm.writeZeroes(disk, offset, length);
                case 1 -> {
                    long at = offset / CLUSTER * CLUSTER;
                    long len = Math.max(CLUSTER, length / CLUSTER * CLUSTER);
                    if (at + len <= size / CLUSTER * CLUSTER) {
                        vm.discard(disk, at, len);
                    }
                }
                default -> vm.write(disk, offset, length, 1 + random.nextInt(255));
            }
        }
    }

    static String sha256(byte[] data) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }
}
