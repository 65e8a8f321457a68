package io.backpoint.repo.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.api.Checkpoint;
import io.backpoint.repo.Compression;
import io.backpoint.repo.DiskIndex;
import io.backpoint.repo.DiskMode;
import io.backpoint.repo.Repository;
import io.backpoint.repo.Snapshot;
import io.backpoint.testing.QemuTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup heals a broken chain on its own, per disk, and says why: QEMU killed (bitmaps
 * inconsistent), checkpoint metadata lost (redefined from the repository), a disk added or resized.
 * Two repositories keep independent chains on one VM; two domains back up into one repository at once.
 */
@QemuTest
class SelfHealingQemuTest {
    private static final long MIB = BackupVm.MIB;
    private static final int CHUNK = 256 << 10;

    @TempDir
    Path root;

    private final List<String> notes = new ArrayList<>();
    private final BackupListener listener = new BackupListener() {
        @Override
        public void note(String line) {
            notes.add(line);
        }
    };

    private BackupVm vm(String name, String... disks) throws Exception {
        Map<String, Long> sizes = new TreeMap<>();
        for (String d : disks) {
            sizes.put(d, 16 * MIB);
        }
        return new BackupVm(root, name, sizes);
    }

    private Repository repo(String name) {
        return Repository.init(root.resolve(name).toString(), CHUNK, Compression.ZSTD);
    }

    private Snapshot backup(BackupVm vm, Repository repo) throws Exception {
        notes.clear();
        Snapshot s = new BackupEngine(vm.connection(), repo, Clock.systemUTC(), tmp())
                .backup(new BackupOptions(vm.name(), List.of(), false), listener);
        BackupChecks.matchesModel(repo, s, vm);
        BackupChecks.nothingLeft(vm, tmp());
        return s;
    }

    private Path tmp() throws Exception {
        return Files.createDirectories(root.resolve("tmp"));
    }

    private static DiskIndex disk(Snapshot s, String name) {
        return s.disk(name).orElseThrow();
    }

    @Test
    void qemuKilledMeansFullWithTheReasonThenIncrementalAgain() throws Exception {
        try (BackupVm vm = vm("vm1", "vda", "vdb"); Repository repo = repo("repo")) {
            vm.write("vda", 0, 2 * MIB, 0x11);
            backup(vm, repo);
            vm.write("vda", 4 * MIB, MIB, 0x22);
            vm.killQemuAndRestart();
            vm.write("vdb", 8 * MIB, MIB, 0x33);
            Snapshot s = backup(vm, repo);
            for (String d : vm.disks()) {
                assertThat(disk(s, d).mode()).isEqualTo(DiskMode.FULL);
                assertThat(disk(s, d).reason()).contains("unusable").contains("inconsistent");
            }
            assertThat(notes).anySatisfy(n -> assertThat(n).startsWith("vda: full (").contains("inconsistent"));
            vm.write("vda", 12 * MIB, MIB, 0x44);
            Snapshot next = backup(vm, repo);
            assertThat(disk(next, "vda").mode()).isEqualTo(DiskMode.INCREMENTAL);
            assertThat(disk(next, "vda").bytesRead()).isLessThanOrEqualTo(MIB + CHUNK);
        }
    }

    /**
     * One disk's bitmap gone (removed through the monitor, as QEMU loses one it created when it is
     * killed): only that disk is read whole, with the checkpoint and its bitmap named; the other
     * stays incremental from the same checkpoint. The old checkpoint is then deleted with the
     * bitmap it still has on vda (none left behind). The same when only vdb's bitmap is
     * inconsistent (its image alone crashed). The next backup is incremental on both.
     */
    @Test
    void oneDisksBrokenBitmapMakesOnlyThatDiskFull() throws Exception {
        try (BackupVm vm = vm("vm1", "vda", "vdb"); Repository repo = repo("repo")) {
            vm.write("vda", 0, 2 * MIB, 0x11);
            vm.write("vdb", 0, 2 * MIB, 0x12);
            Snapshot first = backup(vm, repo);
            String old = first.checkpointName();
            vm.write("vda", 4 * MIB, MIB, 0x21);
            vm.write("vdb", 6 * MIB, MIB, 0x22);
            String reply = vm.domain().monitorCommand("{\"execute\":\"block-dirty-bitmap-remove\",\"arguments\":"
                    + "{\"node\":\"bp-vdb-format\",\"name\":\"" + old + "\"}}", false);
            assertThat(reply).as("block-dirty-bitmap-remove").doesNotContain("error");
            assertThat(vm.domain().checkpoint(old).problems()).containsOnlyKeys("vdb");

            Snapshot s = backup(vm, repo);
            assertThat(disk(s, "vda").mode()).as("%s", disk(s, "vda")).isEqualTo(DiskMode.INCREMENTAL);
            assertThat(disk(s, "vda").bytesRead()).isLessThanOrEqualTo(MIB + CHUNK);
            assertThat(disk(s, "vdb").mode()).isEqualTo(DiskMode.FULL);
            assertThat(disk(s, "vdb").reason()).contains("checkpoint '" + old + "'")
                    .contains("bitmap '" + old + "' for disk 'vdb'").doesNotContain("'vda'");
            assertThat(notes).anySatisfy(n -> assertThat(n).startsWith("vdb: full (").contains("'vdb'"));
            for (String d : vm.disks()) {
                sameAsLiveImage(repo, s, vm, d);
            }
            assertThat(vm.domain().listCheckpoints(0)).extracting(Checkpoint::name).containsExactly(s.checkpointName());
            assertThat(vm.domain().monitorCommand("{\"execute\":\"query-named-block-nodes\"}", false))
                    .as("bitmaps of the deleted checkpoint").doesNotContain("\"" + old + "\"");

            // Only vdb's image crashed: its bitmap of the checkpoint comes back inconsistent
            // (still there, so the delete of that checkpoint removes it with vda's).
            vm.write("vda", 9 * MIB, MIB, 0x31);
            vm.write("vdb", 12 * MIB, MIB, 0x32);
            vm.crashOneImage("vdb");
            Snapshot t = backup(vm, repo);
            assertThat(disk(t, "vda").mode()).as("%s", disk(t, "vda")).isEqualTo(DiskMode.INCREMENTAL);
            assertThat(disk(t, "vda").bytesRead()).isLessThanOrEqualTo(MIB + CHUNK);
            assertThat(disk(t, "vdb").mode()).isEqualTo(DiskMode.FULL);
            assertThat(disk(t, "vdb").reason()).contains("bitmap '" + s.checkpointName() + "' for disk 'vdb'")
                    .contains("inconsistent").doesNotContain("'vda'");
            assertThat(vm.domain().listCheckpoints(0)).extracting(Checkpoint::name).containsExactly(t.checkpointName());
            assertThat(vm.domain().monitorCommand("{\"execute\":\"query-named-block-nodes\"}", false))
                    .as("bitmaps of the deleted checkpoint").doesNotContain("\"" + s.checkpointName() + "\"");

            vm.write("vda", 13 * MIB, MIB, 0x41);
            vm.write("vdb", 14 * MIB, MIB, 0x42);
            Snapshot next = backup(vm, repo);
            for (String d : vm.disks()) {
                assertThat(disk(next, d).mode()).as("%s", disk(next, d)).isEqualTo(DiskMode.INCREMENTAL);
                assertThat(disk(next, d).bytesRead()).isLessThanOrEqualTo(MIB + CHUNK);
                sameAsLiveImage(repo, next, vm, d);
            }
        }
    }

    /** The snapshot's disk, restored to raw, is the live image as qemu-img reads it (shared, QEMU runs). */
    private void sameAsLiveImage(Repository repo, Snapshot s, BackupVm vm, String d) throws Exception {
        vm.flush(d);
        Path out = root.resolve("restored-" + s.id() + "-" + d + ".raw");
        io.backpoint.repo.IndexRestore.restore(repo, disk(s, d), out);
        io.backpoint.testing.Tools.run("qemu-img", "compare", "-U", "-f", "raw", "-F", "qcow2", out.toString(),
                vm.image(d).toString());
        Files.delete(out);
    }

    @Test
    void lostCheckpointMetadataIsRedefinedFromTheRepository() throws Exception {
        try (BackupVm vm = vm("vm1", "vda", "vdb"); Repository repo = repo("repo")) {
            vm.write("vda", 0, 2 * MIB, 0x11);
            Snapshot first = backup(vm, repo);
            vm.write("vdb", 3 * MIB, MIB, 0x22);
            vm.recreateDefinition();
            assertThat(vm.domain().listCheckpoints(0)).isEmpty();
            Snapshot s = backup(vm, repo);
            assertThat(notes).anySatisfy(n -> assertThat(n).contains(first.checkpointName()).contains("redefined"));
            assertThat(disk(s, "vda").mode()).as("%s", disk(s, "vda")).isEqualTo(DiskMode.INCREMENTAL);
            assertThat(disk(s, "vdb").mode()).isEqualTo(DiskMode.INCREMENTAL);
            assertThat(disk(s, "vdb").bytesRead()).isLessThanOrEqualTo(MIB + CHUNK);
            assertThat(vm.domain().listCheckpoints(0)).extracting(Checkpoint::name).containsExactly(s.checkpointName());
        }
    }

    @Test
    void lostMetadataAndBrokenBitmapMeansFull() throws Exception {
        try (BackupVm vm = vm("vm1", "vda"); Repository repo = repo("repo")) {
            vm.write("vda", 0, 2 * MIB, 0x11);
            backup(vm, repo);
            vm.killQemuAndRestart();
            vm.recreateDefinition();
            vm.write("vda", 5 * MIB, MIB, 0x22);
            Snapshot s = backup(vm, repo);
            assertThat(disk(s, "vda").mode()).isEqualTo(DiskMode.FULL);
            assertThat(disk(s, "vda").reason()).contains("missing and could not be redefined");
        }
    }

    @Test
    void addedDiskIsFullAndOnlyIt() throws Exception {
        try (BackupVm vm = vm("vm1", "vda"); Repository repo = repo("repo")) {
            vm.write("vda", 0, 2 * MIB, 0x11);
            backup(vm, repo);
            vm.addDisk("vdb", 8 * MIB);
            vm.write("vda", 6 * MIB, MIB, 0x22);
            vm.write("vdb", 0, MIB, 0x33);
            Snapshot s = backup(vm, repo);
            assertThat(disk(s, "vda").mode()).isEqualTo(DiskMode.INCREMENTAL);
            assertThat(disk(s, "vdb").mode()).isEqualTo(DiskMode.FULL);
            assertThat(disk(s, "vdb").reason()).contains("disk added");
        }
    }

    @Test
    void resizedDiskIsFullAndOnlyIt() throws Exception {
        try (BackupVm vm = vm("vm1", "vda", "vdb"); Repository repo = repo("repo")) {
            vm.write("vdb", 0, 2 * MIB, 0x11);
            backup(vm, repo);
            vm.resize("vdb", 24 * MIB);
            vm.write("vdb", 20 * MIB, MIB, 0x22);
            vm.write("vda", 0, MIB, 0x33);
            Snapshot s = backup(vm, repo);
            assertThat(disk(s, "vda").mode()).isEqualTo(DiskMode.INCREMENTAL);
            assertThat(disk(s, "vdb").mode()).isEqualTo(DiskMode.FULL);
            assertThat(disk(s, "vdb").reason()).contains("resized");
            assertThat(disk(s, "vdb").size()).isEqualTo(24 * MIB);
        }
    }

    @Test
    void twoRepositoriesKeepIndependentChainsAndTheUsersCheckpointStays() throws Exception {
        try (BackupVm vm = vm("vm1", "vda"); Repository a = repo("a"); Repository b = repo("b")) {
            vm.domain().createCheckpoint("<domaincheckpoint><name>mine</name></domaincheckpoint>", 0);
            vm.write("vda", 0, MIB, 0x11);
            Snapshot a1 = backup(vm, a);
            Snapshot b1 = backup(vm, b);
            vm.write("vda", 2 * MIB, MIB, 0x22);
            Snapshot a2 = backup(vm, a);
            vm.write("vda", 4 * MIB, MIB, 0x33);
            Snapshot b2 = backup(vm, b);
            assertThat(disk(a2, "vda").mode()).isEqualTo(DiskMode.INCREMENTAL);
            assertThat(disk(b2, "vda").mode()).isEqualTo(DiskMode.INCREMENTAL);
            // b's incremental covers everything since b1, a2's writes included.
            assertThat(disk(b2, "vda").bytesRead()).isGreaterThanOrEqualTo(2 * MIB);
            assertThat(a1.checkpointName()).startsWith(a.config().checkpointPrefix());
            assertThat(b1.checkpointName()).startsWith(b.config().checkpointPrefix());
            assertThat(vm.domain().listCheckpoints(0)).extracting(Checkpoint::name)
                    .containsExactlyInAnyOrder("mine", a2.checkpointName(), b2.checkpointName());
        }
    }

    @Test
    void twoDomainsBackUpIntoOneRepositoryAtOnce() throws Exception {
        try (BackupVm one = vm("vm1", "vda"); BackupVm two = vm("vm2", "vda"); Repository repo = repo("repo")) {
            one.write("vda", 0, 4 * MIB, 0x11);
            two.write("vda", 0, 4 * MIB, 0x11);
            two.write("vda", 8 * MIB, 2 * MIB, 0x22);
            CompletableFuture<Snapshot> s1 = CompletableFuture.supplyAsync(() -> run(one, repo));
            CompletableFuture<Snapshot> s2 = CompletableFuture.supplyAsync(() -> run(two, repo));
            Snapshot a = s1.join();
            Snapshot b = s2.join();
            BackupChecks.matchesModel(repo, a, one);
            BackupChecks.matchesModel(repo, b, two);
            assertThat(repo.snapshots(null)).hasSize(2);
        }
    }

    private Snapshot run(BackupVm vm, Repository repo) {
        try {
            return new BackupEngine(vm.connection(), repo, Clock.systemUTC(), tmp())
                    .backup(new BackupOptions(vm.name(), List.of(), false), BackupListener.NONE);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
