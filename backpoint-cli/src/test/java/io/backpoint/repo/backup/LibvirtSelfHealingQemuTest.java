package io.backpoint.repo.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpoint.testing.QemuTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's self-healing and crash cases through libvirtd ({@code -c qemu:///system}), with
 * the {@code backpoint} command in a process of its own as a user runs it, and libvirt's state read
 * with virsh: QEMU killed between backups (the checkpoint's bitmap is then gone from the image, or
 * inconsistent, and libvirt itself would fail the incremental), checkpoint metadata deleted, a disk
 * added (the backup process SIGKILLed: {@link LibvirtCrashLoopQemuTest}). Every snapshot is
 * restored with the {@code restore} command and compared with an independent model of the guest's
 * writes.
 */
@QemuTest
class LibvirtSelfHealingQemuTest {
    private static final long MIB = 1L << 20;
    private static final long CHUNK = 256 << 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    private ChildCli cli;
    private String lastStderr = "";

    @BeforeEach
    void repository() {
        LibvirtRepoVm.assumeReachable();
        cli = new ChildCli(root, Map.of());
        ok(cli.run("repo-init", root.resolve("repo").toString(), "--chunk-size", "256K"));
    }

    private LibvirtRepoVm vm(String name, String... disks) throws Exception {
        Map<String, Long> sizes = new TreeMap<>();
        for (String d : disks) {
            sizes.put(d, 16 * MIB);
        }
        return LibvirtRepoVm.start(root, name, sizes);
    }

    @Test
    void qemuKilledMeansFullWithTheReasonThenIncrementalAgain() throws Exception {
        try (LibvirtRepoVm vm = vm("bp-lvheal-killed", "vda", "vdb")) {
            vm.write("vda", 0, 2 * MIB, 0x11);
            backup(vm);
            // The checkpoint's bitmap was created in this QEMU's run: QEMU writes it to the image
            // only when it closes it, so after SIGKILL it is gone.
            vm.write("vda", 4 * MIB, MIB, 0x22);
            vm.killQemuAndRestart();
            vm.write("vdb", 8 * MIB, MIB, 0x33);
            JsonNode s = backup(vm);
            for (JsonNode d : s.path("disks")) {
                assertThat(d.path("mode").asText()).isEqualTo("full");
                assertThat(d.path("reason").asText()).contains("unusable").contains("missing or broken bitmap");
            }
            assertThat(lastStderr).contains("vda: full (checkpoint '").contains("inconsistent");
            vm.write("vda", 12 * MIB, MIB, 0x44);
            JsonNode next = backup(vm);
            assertThat(disk(next, "vda").path("mode").asText()).isEqualTo("incremental");
            assertThat(disk(next, "vda").path("bytesRead").asLong()).isLessThanOrEqualTo(MIB + CHUNK);

            // Loaded from the image by a clean restart, then SIGKILL: the image keeps the bitmap
            // marked in-use, and QEMU loads it as inconsistent.
            vm.restart();
            vm.write("vdb", 2 * MIB, MIB, 0x55);
            vm.killQemuAndRestart();
            vm.write("vda", 6 * MIB, MIB, 0x66);
            JsonNode again = backup(vm);
            for (JsonNode d : again.path("disks")) {
                assertThat(d.path("mode").asText()).as("%s", again).isEqualTo("full");
                assertThat(d.path("reason").asText()).contains("unusable");
            }
            assertThat(vm.checkpoints()).containsExactly(again.path("checkpoint").asText());
            vm.write("vdb", 14 * MIB, MIB, 0x77);
            JsonNode last = backup(vm);
            assertThat(disk(last, "vdb").path("mode").asText()).isEqualTo("incremental");
            verifyPasses();
        }
    }

    /**
     * Only vdb's bitmap gone (removed through the monitor): libvirt gives vdb no size, the backup
     * reads vdb whole with the checkpoint and bitmap named and vda incrementally from the same
     * checkpoint (libvirt accepts the mix: it checks only the incremental disks' bitmaps). libvirt's
     * delete of the old checkpoint then fails on vdb ("not found in backing chain"); the backup
     * drops vdb from it and deletes it with vda's bitmap, so none is left. Next: incremental on both.
     */
    @Test
    void oneDisksBrokenBitmapMakesOnlyThatDiskFull() throws Exception {
        try (LibvirtRepoVm vm = vm("bp-lvheal-perdisk", "vda", "vdb")) {
            vm.write("vda", 0, 2 * MIB, 0x11);
            vm.write("vdb", 0, 2 * MIB, 0x12);
            String old = backup(vm).path("checkpoint").asText();
            vm.write("vda", 4 * MIB, MIB, 0x21);
            vm.write("vdb", 6 * MIB, MIB, 0x22);
            vm.removeBitmap("vdb", old);
            assertThat(vm.virshOk("checkpoint-dumpxml", vm.name(), old, "--size", "--no-domain"))
                    .containsPattern("name='vda'[^>]* size=").doesNotContainPattern("name='vdb'[^>]* size=");

            JsonNode s = backup(vm);
            assertThat(disk(s, "vda").path("mode").asText()).as("%s", s).isEqualTo("incremental");
            assertThat(disk(s, "vda").path("bytesRead").asLong()).isLessThanOrEqualTo(MIB + CHUNK);
            assertThat(disk(s, "vdb").path("mode").asText()).isEqualTo("full");
            assertThat(disk(s, "vdb").path("reason").asText()).contains("checkpoint '" + old + "'")
                    .contains("bitmap '" + old + "' for disk 'vdb'").doesNotContain("'vda'");
            assertThat(lastStderr).contains("vdb: full (").doesNotContain("vda: full");
            assertThat(vm.checkpoints()).containsExactly(s.path("checkpoint").asText());
            assertThat(vm.namedBlockNodes()).as("bitmaps of the deleted checkpoint").doesNotContain("\"" + old + "\"");

            vm.write("vda", 9 * MIB, MIB, 0x31);
            vm.write("vdb", 12 * MIB, MIB, 0x32);
            JsonNode next = backup(vm);
            for (JsonNode d : next.path("disks")) {
                assertThat(d.path("mode").asText()).as("%s", next).isEqualTo("incremental");
                assertThat(d.path("bytesRead").asLong()).isLessThanOrEqualTo(MIB + CHUNK);
            }
            verifyPasses();
        }
    }

    @Test
    void deletedCheckpointMetadataIsRedefinedFromTheRepository() throws Exception {
        try (LibvirtRepoVm vm = vm("bp-lvheal-meta", "vda", "vdb")) {
            vm.write("vda", 0, 2 * MIB, 0x11);
            JsonNode first = backup(vm);
            vm.write("vdb", 3 * MIB, MIB, 0x22);
            vm.deleteCheckpointMetadata();
            assertThat(vm.checkpoints()).isEmpty();
            JsonNode s = backup(vm);
            assertThat(lastStderr).contains("checkpoint '" + first.path("checkpoint").asText() + "' was missing: redefined");
            assertThat(disk(s, "vda").path("mode").asText()).as("%s", s).isEqualTo("incremental");
            assertThat(disk(s, "vdb").path("mode").asText()).isEqualTo("incremental");
            assertThat(disk(s, "vdb").path("bytesRead").asLong()).isLessThanOrEqualTo(MIB + CHUNK);
            assertThat(vm.checkpoints()).containsExactly(s.path("checkpoint").asText());

            // Metadata gone and the bitmap with it: redefining fails validation, so full.
            vm.write("vda", 5 * MIB, MIB, 0x33);
            vm.killQemuAndRestart();
            vm.deleteCheckpointMetadata();
            JsonNode full = backup(vm);
            assertThat(disk(full, "vda").path("mode").asText()).isEqualTo("full");
            assertThat(disk(full, "vda").path("reason").asText()).contains("missing and could not be redefined");
            assertThat(vm.checkpoints()).containsExactly(full.path("checkpoint").asText());
            verifyPasses();
        }
    }

    @Test
    void addedDiskIsFullAndOnlyIt() throws Exception {
        try (LibvirtRepoVm vm = vm("bp-lvheal-added", "vda")) {
            vm.write("vda", 0, 2 * MIB, 0x11);
            backup(vm);
            vm.addDisk("vdb", 8 * MIB);
            vm.write("vda", 6 * MIB, MIB, 0x22);
            vm.write("vdb", 0, MIB, 0x33);
            JsonNode s = backup(vm);
            assertThat(disk(s, "vda").path("mode").asText()).isEqualTo("incremental");
            assertThat(disk(s, "vda").path("bytesRead").asLong()).isLessThanOrEqualTo(MIB + CHUNK);
            assertThat(disk(s, "vdb").path("mode").asText()).isEqualTo("full");
            assertThat(disk(s, "vdb").path("reason").asText()).contains("disk added");
        }
    }

    private static Map<String, byte[]> models(LibvirtRepoVm vm) {
        Map<String, byte[]> models = new LinkedHashMap<>();
        for (String d : vm.disks()) {
            models.put(d, vm.model(d));
        }
        return models;
    }

    /** {@code backup --json} through libvirtd; every disk of the new snapshot restores to the model; nothing left. */
    private JsonNode backup(LibvirtRepoVm vm) throws Exception {
        ChildCli.Result r = cli.run("-c", LibvirtRepoVm.URI, "backup", vm.name(), "--repo", root.resolve("repo").toString(),
                "--json");
        ok(r);
        lastStderr = r.stderr();
        JsonNode s = JSON.readTree(r.stdout());
        restoresTo(s, models(vm));
        vm.nothingLeft(cli.tmp());
        return s;
    }

    private void restoresTo(JsonNode snapshot, Map<String, byte[]> models) throws Exception {
        assertThat(snapshot.path("disks")).extracting(d -> d.path("name").asText())
                .containsExactlyInAnyOrderElementsOf(models.keySet());
        for (var e : models.entrySet()) {
            Path out = root.resolve("restored-" + e.getKey() + ".raw");
            ok(cli.run("restore", "--repo", root.resolve("repo").toString(), snapshot.path("id").asText(), "--disk", e.getKey(),
                    "--output", out.toString()));
            assertThat(java.util.Arrays.equals(Files.readAllBytes(out), e.getValue()))
                    .as("snapshot %s disk %s equals the disk as it was", snapshot.path("id").asText(), e.getKey()).isTrue();
            Files.delete(out);
        }
    }

    private List<JsonNode> snapshots() throws Exception {
        ChildCli.Result r = cli.run("snapshots", "--repo", root.resolve("repo").toString(), "--json");
        ok(r);
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(r.stdout()).forEach(out::add);
        return out;
    }

    private void verifyPasses() {
        ChildCli.Result r = cli.run("verify", "--repo", root.resolve("repo").toString());
        ok(r);
    }

    private static JsonNode disk(JsonNode snapshot, String name) {
        for (JsonNode d : snapshot.path("disks")) {
            if (d.path("name").asText().equals(name)) {
                return d;
            }
        }
        throw new AssertionError("no disk " + name + " in " + snapshot);
    }

    private static void ok(ChildCli.Result r) {
        assertThat(r.status()).as("%s", r).isZero();
    }
}
