package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpoint.qemu.testing.RunningVms;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.qemu.testing.TestVm.Disk;
import io.backpoint.repo.Compression;
import io.backpoint.repo.Repository;
import io.backpoint.testing.QemuTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code backpoint backup DOMAIN --repo DIR} on a real QEMU: its lines, its JSON, its errors. */
@QemuTest
class RepoBackupCommandQemuTest {
    private static final long MIB = 1L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final RunningVms VMS = new RunningVms();

    @TempDir
    Path root;

    private String uri;

    @BeforeEach
    void start() throws Exception {
        uri = VMS.embed(root);
        List<Disk> disks = new java.util.ArrayList<>();
        for (String d : List.of("vda", "vdb")) {
            disks.add(Disk.create(d, root.resolve(d + ".qcow2"), "qcow2", 16 * MIB));
        }
        disks.add(Disk.create("vdc", root.resolve("vdc.raw"), "raw", MIB));
        Files.writeString(root.resolve("dom.xml"), TestVm.domainXml("vm1", disks));
        assertThat(cli("define dom.xml; start vm1").status()).isZero();
        Repository.init(root.resolve("repo").toString(), 1 << 20, Compression.ZSTD).close();
    }


    @Test
    void fullThenIncrementalWithReasonsLinesAndJson() throws Exception {
        cli("qemu-monitor-command vm1 --hmp 'qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -P 0x11 0 3M\"'");
        CliRun first = CliRun.of(root, "", "-c", uri, "backup", "vm1", "--repo", "repo");
        assertThat(first.status()).as(first.stderr()).isZero();
        assertThat(first.stdout()).contains("vda: full (no previous snapshot of this domain in the repository)")
                .contains("vdb: full (no previous snapshot").doesNotContain("vdc")
                .contains("reading 3.0 MiB").contains("backup: 3.0/3.0 MiB 100%")
                .containsPattern("snapshot [0-9]{8}T[0-9]{6}Z-[0-9a-f]{6} of 'vm1' committed");

        cli("qemu-monitor-command vm1 --hmp 'qemu-io -d /machine/peripheral/virtio-disk1/virtio-backend \"write -P 0x22 5M 64k\"'");
        CliRun second = CliRun.of(root, "", "-c", uri, "backup", "vm1", "--repo", "repo", "--json");
        assertThat(second.status()).as(second.stderr()).isZero();
        assertThat(second.stderr()).contains("vda: incremental from checkpoint 'bp-");
        JsonNode s = JSON.readTree(second.stdout());
        assertThat(s.path("id").asText()).matches("[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}");
        assertThat(s.path("domain").asText()).isEqualTo("vm1");
        assertThat(Instant.parse(s.path("time").asText())).isBefore(Instant.now());
        assertThat(s.path("disks")).hasSize(2);
        for (JsonNode d : s.path("disks")) {
            assertThat(d.path("mode").asText()).isEqualTo("incremental");
            assertThat(d.has("reason")).isFalse();
            assertThat(d.path("size").asLong()).isEqualTo(16 * MIB);
        }
        assertThat(s.path("disks").get(0).path("bytesRead").asLong()).isZero();
        // The dirty 1 MiB chunk holds 64 KiB of data; the rest is a hole and is not read.
        assertThat(s.path("disks").get(1).path("bytesRead").asLong()).isEqualTo(64 * 1024);
        assertThat(s.path("disks").get(1).path("bytesStored").asLong()).isPositive();

        CliRun forced = CliRun.of(root, "", "-c", uri, "backup", "vm1", "--repo", "repo", "--full", "--disk", "vdb", "--json");
        assertThat(forced.status()).as(forced.stderr()).isZero();
        JsonNode f = JSON.readTree(forced.stdout());
        assertThat(f.path("disks")).hasSize(1);
        assertThat(f.path("disks").get(0).path("name").asText()).isEqualTo("vdb");
        assertThat(f.path("disks").get(0).path("mode").asText()).isEqualTo("full");
        assertThat(f.path("disks").get(0).path("reason").asText()).isEqualTo("--full was given");
        assertThat(f.path("disks").get(0).path("bytesStored").asLong()).as("dedup: nothing new").isZero();
    }

    @Test
    void mistakesAreClearErrorsAndNothingIsCommitted() throws Exception {
        CliRun notRepo = CliRun.of(root, "", "-c", uri, "backup", "vm1", "--repo", "nowhere");
        assertThat(notRepo.status()).isEqualTo(1);
        assertThat(notRepo.stderr()).startsWith("error: ").contains("not a Backpoint repository").doesNotContain("Exception");
        CliRun noDisk = CliRun.of(root, "", "-c", uri, "backup", "vm1", "--repo", "repo", "--disk", "vdz");
        assertThat(noDisk.stderr()).contains("error: invalid argument: domain 'vm1' has no disk 'vdz'");
        CliRun rawDisk = CliRun.of(root, "", "-c", uri, "backup", "vm1", "--repo", "repo", "--disk", "vdc");
        assertThat(rawDisk.stderr()).contains("disk 'vdc' of domain 'vm1' cannot be backed up").contains("raw");
        assertThat(cli("destroy vm1").status()).isZero();
        CliRun off = CliRun.of(root, "", "-c", uri, "backup", "vm1", "--repo", "repo");
        assertThat(off.status()).isEqualTo(1);
        assertThat(off.stderr()).contains("domain 'vm1' is not running");
        try (Repository repo = Repository.open(root.resolve("repo").toString())) {
            assertThat(repo.snapshots(null)).isEmpty();
        }
    }

    private CliRun cli(String commands) {
        return CliRun.of(root, "", "-c", uri, commands);
    }
}
