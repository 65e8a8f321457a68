package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpoint.repo.DiskMode;
import io.backpoint.repo.DiskWriter;
import io.backpoint.repo.Repository;
import io.backpoint.repo.Snapshot;
import io.backpoint.repo.SnapshotWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository commands end to end on a real directory repository whose snapshots are written
 * through the repository API (the backup command is tested with real QEMU elsewhere).
 */
class RepositoryCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 64 << 10;

    @TempDir
    Path dir;

    private static String domainXml(String name) {
        return "<domain type='qemu'><name>" + name + "</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>"
                + "<memory unit='MiB'>128</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                + "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/vm/"
                + name + "-vda.qcow2'/><target dev='vda' bus='virtio'/></disk>"
                + "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/var/lib/vm/scratch.raw'/>"
                + "<target dev='vdb' bus='virtio'/></disk></devices></domain>";
    }

    private Snapshot write(String domain, Instant time, byte[] data) {
        try (Repository repository = Repository.open(dir.resolve("repo").toString());
                SnapshotWriter writer = repository.newSnapshot(domain, domainXml(domain), time)) {
            DiskWriter disk = writer.disk("vda", data.length, DiskMode.FULL, "no previous snapshot", Optional.empty());
            for (int i = 0; i < disk.chunkCount(); i++) {
                disk.put(i, ByteBuffer.wrap(data, i * CHUNK, disk.chunkLength(i)));
            }
            return writer.commit();
        }
    }

    private static byte[] random(long seed, int size) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private CliRun run(String... args) {
        return CliRun.of(dir, "", args);
    }

    private JsonNode json(CliRun run) throws Exception {
        assertThat(run.stderr()).isEmpty();
        assertThat(run.status()).isZero();
        return JSON.readTree(run.stdout());
    }

    @Test
    void initListRestoreVerifyPruneGc() throws Exception {
        JsonNode init = json(run("repo-init", "repo", "--chunk-size", "64K", "--json"));
        assertThat(init.get("chunkSize").asInt()).isEqualTo(CHUNK);
        assertThat(init.get("compression").asText()).isEqualTo("zstd");
        assertThat(init.get("checkpointPrefix").asText()).matches("bp-[0-9a-f]{8}-");

        byte[] first = random(1, 5 * CHUNK + 512);
        byte[] second = first.clone();
        System.arraycopy(random(2, CHUNK), 0, second, 2 * CHUNK, CHUNK);
        Snapshot s1 = write("vm1", Instant.parse("2026-01-01T10:00:00Z"), first);
        Snapshot s2 = write("vm1", Instant.parse("2026-01-02T10:00:00Z"), second);
        Snapshot s3 = write("vm2", Instant.parse("2026-01-03T10:00:00Z"), first);

        JsonNode all = json(run("snapshots", "--repo", "repo", "--json"));
        assertThat(all).hasSize(3);
        assertThat(all.get(0).get("id").asText()).isEqualTo(s1.id());
        assertThat(all.get(0).get("time").asText()).isEqualTo("2026-01-01T10:00:00Z");
        JsonNode disk = all.get(1).get("disks").get(0);
        assertThat(disk.get("name").asText()).isEqualTo("vda");
        assertThat(disk.get("mode").asText()).isEqualTo("full");
        assertThat(disk.get("reason").asText()).isEqualTo("no previous snapshot");
        assertThat(disk.get("size").asLong()).isEqualTo(first.length);
        assertThat(disk.get("bytesRead").asLong()).isEqualTo(first.length);
        assertThat(disk.get("bytesStored").asLong()).isEqualTo(CHUNK + 9); // one new incompressible chunk
        assertThat(all.get(2).get("disks").get(0).get("bytesStored").asLong()).isZero(); // dedup across domains
        assertThat(json(run("snapshots", "--repo", "repo", "vm1", "--json"))).hasSize(2);
        CliRun text = run("snapshots", "--repo", "repo", "vm2");
        assertThat(text.stdout()).contains(s3.id() + "  vm2  2026-01-03T10:00:00Z").contains("vda  size 320.5 KiB");

        CliRun restored = run("restore", "--repo", "repo", "vm1:latest", "--disk", "vda", "--output", "vda.raw");
        assertThat(restored.status()).as(restored.stderr()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("vda.raw"))).isEqualTo(second);
        CliRun again = run("restore", "--repo", "repo", s1.id(), "--disk", "vda", "--output", "vda.raw");
        assertThat(again.status()).isOne();
        assertThat(again.stderr()).contains("already exists");
        assertThat(Files.readAllBytes(dir.resolve("vda.raw"))).isEqualTo(second);

        CliRun vm = run("-c", "qemu:///embed?root=" + dir.resolve("state"), "restore --repo repo " + s1.id()
                + " --output-dir copy --define vm1-copy --json; list --all --name");
        assertThat(vm.status()).as(vm.stderr()).isZero();
        assertThat(vm.stderr()).contains("warning: disk 'vdb' was not in the snapshot");
        JsonNode restoredVm = JSON.readTree(vm.stdout().substring(0, vm.stdout().lastIndexOf('}') + 1));
        assertThat(restoredVm.get("name").asText()).isEqualTo("vm1-copy");
        assertThat(restoredVm.get("defined").asBoolean()).isTrue();
        assertThat(restoredVm.get("uuid").asText()).isNotEqualTo("6695eb01-f6a4-8304-79aa-97f2502e193f");
        assertThat(vm.stdout()).contains("vm1-copy\n");
        Path image = dir.resolve("copy").resolve("vm1-copy-vda.raw");
        assertThat(Files.readAllBytes(image)).isEqualTo(first);
        String xml = Files.readString(dir.resolve("copy").resolve("vm1-copy.xml"));
        assertThat(xml).contains("<name>vm1-copy</name>").contains("<source file='" + image + "'/>")
                .contains("type='raw'").doesNotContain("scratch.raw").doesNotContain("6695eb01");

        JsonNode verify = json(run("verify", "--repo", "repo", "--json"));
        assertThat(verify.get("ok").asBoolean()).isTrue();
        assertThat(verify.get("snapshots").asInt()).isEqualTo(3);
        assertThat(verify.get("chunks").asInt()).isEqualTo(7);

        String unique = s1.disks().get(0).chunks().get(2); // only s1 has it
        Path chunkFile = dir.resolve("repo/chunks").resolve(unique.substring(0, 2)).resolve(unique);
        byte[] stored = Files.readAllBytes(chunkFile);
        stored[100] ^= 1;
        Files.write(chunkFile, stored);
        CliRun damaged = run("verify", "--repo", "repo");
        assertThat(damaged.status()).isOne();
        assertThat(damaged.stdout()).contains("damaged: chunk " + unique + " content does not match its hash; breaks snapshots "
                + s1.id() + ", " + s3.id()).contains("DAMAGED: 3 snapshots");
        CliRun broken = run("restore", "--repo", "repo", s1.id(), "--disk", "vda", "--output", "broken.raw");
        assertThat(broken.status()).isOne();
        assertThat(broken.stderr()).contains(unique);
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).doesNotContain("broken.raw")
                .noneMatch(n -> n.startsWith("."));

        JsonNode prune = json(run("prune", "--repo", "repo", "vm1", "--keep-last", "1", "--json"));
        assertThat(prune.get("removed")).hasSize(1);
        assertThat(prune.get("removed").get(0).get("id").asText()).isEqualTo(s1.id());
        assertThat(prune.get("kept").get(0).get("keptBy").get(0).asText()).isEqualTo("last");
        JsonNode gc = json(run("gc", "--repo", "repo", "--json"));
        assertThat(gc.get("chunksDeleted").asInt()).isZero(); // vm2's snapshot still uses s1's chunks
        json(run("prune", "--repo", "repo", "vm2", "--keep-last", "1", "--json"));
        assertThat(json(run("snapshots", "--repo", "repo", "--json"))).hasSize(2);
        assertThat(json(run("verify", "--repo", "repo", s2.id(), "--json")).get("ok").asBoolean()).isTrue();
    }

    @Test
    void refusesWhatIsNotARepositoryAndHalfGivenRestores() {
        CliRun missing = run("snapshots", "--repo", "nowhere");
        assertThat(missing.status()).isOne();
        assertThat(missing.stderr()).contains("is not a Backpoint repository").contains("repo-init");
        assertThat(run("repo-init", "repo").status()).isZero();
        CliRun twice = run("repo-init", "repo");
        assertThat(twice.stderr()).contains("is not empty");
        CliRun half = run("restore", "--repo", "repo", "latest", "--output", "x.raw");
        assertThat(half.stderr()).contains("either --disk NAME --output FILE, or --output-dir DIR");
        CliRun none = run("restore", "--repo", "repo", "latest", "--disk", "vda", "--output", "x.raw");
        assertThat(none.stderr()).contains("has no snapshot");
        CliRun policy = run("prune", "--repo", "repo", "vm1", "--keep-last", "0");
        assertThat(policy.stderr()).contains("keeps nothing");
        CliRun size = run("repo-init", "other", "--chunk-size", "3M");
        assertThat(size.stderr()).contains("not a power of two");
    }
}
