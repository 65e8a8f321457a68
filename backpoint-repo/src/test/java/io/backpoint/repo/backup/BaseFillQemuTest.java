package io.backpoint.repo.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.repo.Compression;
import io.backpoint.repo.DiskIndex;
import io.backpoint.repo.DiskMode;
import io.backpoint.repo.IndexRestore;
import io.backpoint.repo.Repository;
import io.backpoint.repo.Restore;
import io.backpoint.repo.Snapshot;
import io.backpoint.repo.Verify;
import io.backpoint.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An incremental reads from the VM only the dirty extents of a dirty chunk and takes its clean
 * bytes from the previous snapshot's chunk (checked against its id): after scattered small guest
 * writes, bytesRead is the dirty bytes, not whole chunks, and the snapshot restores to the disk;
 * a base chunk that is damaged or missing is never used (the chunk is read whole from the VM).
 */
class BaseFillQemuTest {
    private static final long MIB = BackupVm.MIB;
    private static final int CHUNK = 1 << 20;
    /** The dirty bitmap's granularity: the qcow2 cluster size, what a small write dirties. */
    private static final long GRANULE = 64 << 10;

    @TempDir
    Path root;

    @Test
    void scatteredSmallWritesReadOnlyTheDirtyBytesAndRestoreToTheDisk() throws Exception {
        try (BackupVm vm = new BackupVm(root, "vm1", new TreeMap<>(Map.of("vda", 16 * MIB)));
                Repository repo = Repository.init(root.resolve("repo").toString(), CHUNK, Compression.ZSTD)) {
            // Data in chunks 0-9 (chunks 4-5 compressible, the rest not), chunks 10-15 zero.
            for (long c = 0; c < 10; c++) {
                for (long at = 0; at < CHUNK; at += GRANULE) {
                    vm.write("vda", c * CHUNK + at, GRANULE, c == 4 || c == 5 ? 0x11 : (int) (1 + (c * 16 + at / GRANULE) % 255));
                }
            }
            BackupEngine engine = new BackupEngine(vm.connection(), repo, Clock.systemUTC(), root);
            List<String> notes = new ArrayList<>();
            Snapshot full = backup(engine, notes);
            assertThat(full.disks().get(0).mode()).isEqualTo(DiskMode.FULL);

            // 4 KiB writes in eight chunks: over data, in a compressible chunk, in zero chunks
            // (whose base is the zero chunk), two in one chunk; one dirtied granule per write.
            long[] writes = {100 * 1024, 2 * MIB + 300 * 1024, 2 * MIB + 900 * 1024, 4 * MIB + 4096,
                7 * MIB + CHUNK - 4096, 9 * MIB + 512 * 1024, 11 * MIB + 70 * 1024, 15 * MIB};
            for (int i = 0; i < writes.length; i++) {
                vm.write("vda", writes[i], 4096, 0xa0 + i);
            }
            notes.clear();
            Snapshot inc = backup(engine, notes);
            DiskIndex d = inc.disk("vda").orElseThrow();
            assertThat(d.mode()).isEqualTo(DiskMode.INCREMENTAL);
            assertThat(notes).anyMatch(n -> n.contains("clean parts of dirty chunks from the previous snapshot"));
            assertThat(d.bytesRead()).as("bytes read from the VM: the dirtied granules, not 7 whole chunks")
                    .isBetween(writes.length * 4096L, writes.length * GRANULE);
            assertThat(notes).noneMatch(n -> n.contains("read whole from the VM"));

            BackupChecks.matchesModel(repo, inc, vm);
            restoredEqualsTheDisk(repo, inc, vm, "inc");
        }
    }

    @Test
    void aDamagedOrMissingBaseChunkIsNeverUsed() throws Exception {
        try (BackupVm vm = new BackupVm(root, "vm1", new TreeMap<>(Map.of("vda", 8 * MIB)));
                Repository repo = Repository.init(root.resolve("repo").toString(), CHUNK, Compression.NONE)) {
            for (long c = 0; c < 8; c++) {
                vm.write("vda", c * CHUNK, CHUNK, 0x30 + (int) c);
            }
            BackupEngine engine = new BackupEngine(vm.connection(), repo, Clock.systemUTC(), root);
            List<String> notes = new ArrayList<>();
            Snapshot full = backup(engine, notes);
            DiskIndex base = full.disk("vda").orElseThrow();
            // Chunk 2: one byte flipped in its stored form (raw: the flip lands in the data, so
            // only the hash can tell); chunk 5: deleted.
            Path flipped = chunkFile(base.chunk(2).orElseThrow());
            byte[] stored = Files.readAllBytes(flipped);
            stored[stored.length - 1000] ^= 1;
            Files.write(flipped, stored);
            Files.delete(chunkFile(base.chunk(5).orElseThrow()));

            vm.write("vda", 2 * CHUNK + 4096, 4096, 0xee);
            vm.write("vda", 5 * CHUNK + 8192, 4096, 0xef);
            vm.write("vda", 6 * CHUNK, 4096, 0xf0);
            notes.clear();
            Snapshot inc = backup(engine, notes);
            DiskIndex d = inc.disk("vda").orElseThrow();
            assertThat(notes).anyMatch(n -> n.contains("base chunk 2") && n.contains("does not match its hash")
                    && n.contains("read whole from the VM"));
            assertThat(notes).anyMatch(n -> n.contains("base chunk 5") && n.contains("missing")
                    && n.contains("read whole from the VM"));
            assertThat(d.bytesRead()).as("chunks 2 and 5 whole, a granule of chunk 6")
                    .isBetween(2 * CHUNK + 4096L, 2 * CHUNK + GRANULE);
            assertThat(d.chunk(2)).isNotEqualTo(base.chunk(2));
            // The new snapshot holds the disk as it is, whatever the damage of its base.
            BackupChecks.matchesModel(repo, inc, vm);
            restoredEqualsTheDisk(repo, inc, vm, "inc");
            assertThat(new Verify(repo).run(List.of(inc.id())).damagedChunks()).isEmpty();
        }
    }

    private Path chunkFile(String id) {
        return root.resolve("repo/chunks").resolve(id.substring(0, 2)).resolve(id);
    }

    private static Snapshot backup(BackupEngine engine, List<String> notes) {
        return engine.backup(new BackupOptions("vm1", List.of(), false), new BackupListener() {
            @Override
            public void note(String line) {
                notes.add(line);
            }
        });
    }

    /** The restore command's raw output equals the model and the live image (qemu-img compare). */
    private void restoredEqualsTheDisk(Repository repo, Snapshot s, BackupVm vm, String tag) throws Exception {
        Path restored = root.resolve(tag + ".raw");
        Path oracle = root.resolve(tag + "-model.raw");
        new Restore(repo).disk(repo.snapshot(s.id()), "vda", restored, "raw");
        Files.write(oracle, vm.model("vda"));
        Tools.run("qemu-img", "compare", "-f", "raw", "-F", "raw", oracle.toString(), restored.toString());
        // The image itself, read while QEMU runs (-U: it holds the lock); the guest flushed first.
        vm.flush("vda");
        Tools.run("qemu-img", "compare", "-U", "-f", "raw", "-F", "qcow2", restored.toString(),
                vm.image("vda").toString());
        assertThat(IndexRestore.sha256(repo, s.disk("vda").orElseThrow())).isEqualTo(vm.sha256("vda"));
    }
}
