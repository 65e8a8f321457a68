package io.backpoint.repo.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpoint.repo.storage.S3TestServer;
import io.backpoint.testing.QemuTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Two hosts, one bucket: two backpoint processes with separate state directories back up two
 * VMs into one S3 repository at the same time, full then incremental; a third that never wrote
 * lists and restores all four snapshots, and a chunk both VMs hold is stored once.
 */
@QemuTest
class MultiHostS3QemuTest {
    private static final long MIB = BackupVm.MIB;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    @Test
    void twoHostsBackUpIntoOneBucketAtOnceAndAThirdRestoresEverything() throws Exception {
        S3TestServer server = S3TestServer.get();
        String bucket = server.newBucket();
        String repo = "s3://" + bucket + "/site";
        ChildCli hostC = new ChildCli(Files.createDirectories(root.resolve("hostC")), server.environment());
        // Uncompressed, so that the bucket's chunk sizes say exactly what was stored.
        ChildCli.Result init = hostC.run("repo-init", repo, "--chunk-size", "1M", "--compression", "none");
        assertThat(init.status()).as(init.toString()).isZero();

        try (BackupVm one = new BackupVm(root.resolve("hostA"), "vm1", Map.of("vda", 16 * MIB));
                BackupVm two = new BackupVm(root.resolve("hostB"), "vm2", Map.of("vda", 16 * MIB))) {
            ChildCli hostA = new ChildCli(root.resolve("hostA"), server.environment());
            ChildCli hostB = new ChildCli(root.resolve("hostB"), server.environment());
            Map<String, byte[]> asBackedUp = new LinkedHashMap<>();

            // The same 4 MiB on both VMs (one distinct 1 MiB chunk), and one region of each's own.
            one.write("vda", 0, 4 * MIB, 0x11);
            two.write("vda", 0, 4 * MIB, 0x11);
            one.write("vda", 8 * MIB, MIB, 0x21);
            two.write("vda", 8 * MIB, 2 * MIB, 0x22);
            List<JsonNode> fulls = atOnce(repo, hostA, one, hostB, two, asBackedUp);
            for (JsonNode s : fulls) {
                assertThat(s.path("disks").get(0).path("mode").asText()).isEqualTo("full");
            }
            assertThat(fulls.get(0).path("disks").get(0).path("bytesRead").asLong()).isEqualTo(5 * MIB);
            assertThat(fulls.get(1).path("disks").get(0).path("bytesRead").asLong()).isEqualTo(6 * MIB);
            // Three distinct chunks (0x11, 0x21, 0x22) in the bucket, each stored by exactly one host.
            assertThat(chunks(server, bucket)).hasSize(3);
            assertThat(stored(fulls)).isEqualTo(bytes(chunks(server, bucket)));

            // Each writes again; the new content of vm2 is the same as vm1's: one more chunk, not two.
            one.write("vda", 12 * MIB, MIB, 0x31);
            two.write("vda", 4 * MIB, MIB, 0x31);
            two.write("vda", 14 * MIB, MIB, 0x32);
            List<S3Object> before = chunks(server, bucket);
            List<JsonNode> incs = atOnce(repo, hostA, one, hostB, two, asBackedUp);
            for (JsonNode s : incs) {
                assertThat(s.path("disks").get(0).path("mode").asText()).isEqualTo("incremental");
            }
            assertThat(incs.get(0).path("disks").get(0).path("bytesRead").asLong()).isEqualTo(MIB);
            assertThat(incs.get(1).path("disks").get(0).path("bytesRead").asLong()).isEqualTo(2 * MIB);
            List<S3Object> after = chunks(server, bucket);
            assertThat(after).hasSize(before.size() + 2);
            assertThat(stored(incs)).as("0x31 stored by one host only").isEqualTo(bytes(after) - bytes(before));
            assertThat(stored(incs)).isLessThan(incs.get(0).path("disks").get(0).path("bytesRead").asLong()
                    + incs.get(1).path("disks").get(0).path("bytesRead").asLong());

            // A third host, which never wrote the repository, sees and restores all four.
            ChildCli.Result list = hostC.run("snapshots", "--repo", repo, "--json");
            assertThat(list.status()).as(list.toString()).isZero();
            List<String> ids = new ArrayList<>();
            JSON.readTree(list.stdout()).forEach(s -> ids.add(s.path("id").asText()));
            assertThat(ids).containsExactlyInAnyOrderElementsOf(asBackedUp.keySet());
            for (var e : asBackedUp.entrySet()) {
                Path expected = root.resolve("hostC").resolve(e.getKey() + ".expected");
                Files.write(expected, e.getValue());
                Path out = root.resolve("hostC").resolve(e.getKey() + ".raw");
                ChildCli.Result restore = hostC.run("-c", "qemu:///embed?root=" + root.resolve("hostC/state"), "restore",
                        "--repo", repo, e.getKey(), "--disk", "vda", "--output", out.toString());
                assertThat(restore.status()).as(restore.toString()).isZero();
                BackupVm.exec("qemu-img", "compare", "-q", "-f", "raw", "-F", "raw", expected.toString(), out.toString());
            }
            BackupChecks.nothingLeft(one, hostA.tmp());
            BackupChecks.nothingLeft(two, hostB.tmp());
        }
    }

    /** Both hosts' backups started together; records each snapshot's disk as the model had it. */
    private static List<JsonNode> atOnce(String repo, ChildCli hostA, BackupVm one, ChildCli hostB, BackupVm two,
            Map<String, byte[]> asBackedUp) throws Exception {
        byte[] modelOne = one.model("vda");
        byte[] modelTwo = two.model("vda");
        CompletableFuture<ChildCli.Result> a = CompletableFuture.supplyAsync(() -> hostA.run("-c", one.uri(), "backup",
                one.name(), "--repo", repo, "--json"));
        CompletableFuture<ChildCli.Result> b = CompletableFuture.supplyAsync(() -> hostB.run("-c", two.uri(), "backup",
                two.name(), "--repo", repo, "--json"));
        List<JsonNode> snapshots = new ArrayList<>();
        for (ChildCli.Result r : List.of(a.join(), b.join())) {
            assertThat(r.status()).as(r.toString()).isZero();
            snapshots.add(JSON.readTree(r.stdout()));
        }
        asBackedUp.put(snapshots.get(0).path("id").asText(), modelOne);
        asBackedUp.put(snapshots.get(1).path("id").asText(), modelTwo);
        return snapshots;
    }

    private static List<S3Object> chunks(S3TestServer server, String bucket) {
        return server.admin().listObjectsV2Paginator(r -> r.bucket(bucket).prefix("site/chunks/")).contents().stream().toList();
    }

    private static long bytes(List<S3Object> objects) {
        return objects.stream().mapToLong(S3Object::size).sum();
    }

    private static long stored(List<JsonNode> snapshots) {
        return snapshots.stream().mapToLong(s -> s.path("disks").get(0).path("bytesStored").asLong()).sum();
    }
}
