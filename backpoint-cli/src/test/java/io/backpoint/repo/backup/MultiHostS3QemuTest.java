package io.backpoint.repo.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.backpoint.repo.storage.S3TestServer;
import io.backpoint.testing.QemuTest;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @TempDir
    Path root;

    @Test
    void twoHostsBackUpIntoOneBucketAtOnceAndAThirdRestoresEverything() throws Exception {
        S3Repository s3 = S3Repository.fresh("site");
        S3TestServer server = s3.server;
        String bucket = s3.bucket;
        String repo = s3.uri;
        ChildCli hostC = new ChildCli(Files.createDirectories(root.resolve("hostC")), server.environment());
        s3.init(hostC);

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
            List<JsonNode> fulls = atOnce(s3, hostA, one, hostB, two, asBackedUp);
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
            List<JsonNode> incs = atOnce(s3, hostA, one, hostB, two, asBackedUp);
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
            assertThat(s3.ids(hostC)).containsExactlyInAnyOrderElementsOf(asBackedUp.keySet());
            for (var e : asBackedUp.entrySet()) {
                s3.assertRestores(hostC, root.resolve("hostC"), e.getKey(), e.getValue(),
                        "-c", "qemu:///embed?root=" + root.resolve("hostC/state"));
            }
            BackupChecks.nothingLeft(one, hostA.tmp());
            BackupChecks.nothingLeft(two, hostB.tmp());
        }
    }

    /** Both hosts' backups started together; records each snapshot's disk as the model had it. */
    private static List<JsonNode> atOnce(S3Repository s3, ChildCli hostA, BackupVm one, ChildCli hostB, BackupVm two,
            Map<String, byte[]> asBackedUp) throws Exception {
        byte[] modelOne = one.model("vda");
        byte[] modelTwo = two.model("vda");
        CompletableFuture<JsonNode> a = CompletableFuture.supplyAsync(() -> s3.backup(hostA, one, s3.uri));
        CompletableFuture<JsonNode> b = CompletableFuture.supplyAsync(() -> s3.backup(hostB, two, s3.uri));
        List<JsonNode> snapshots = List.of(a.join(), b.join());
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
