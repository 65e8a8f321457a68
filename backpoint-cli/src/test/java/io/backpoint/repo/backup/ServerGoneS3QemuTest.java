package io.backpoint.repo.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.backpoint.api.Checkpoint;
import io.backpoint.repo.storage.S3TestServer;
import io.backpoint.repo.storage.TcpProxy;
import io.backpoint.testing.QemuTest;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 endpoint goes away in the middle of a real backup of a running VM (a TCP proxy in front
 * of the real server cuts every connection and refuses new ones after some chunk uploads): the
 * backup fails cleanly and says which object and why; once the server is back the next backup is
 * incremental from the last committed snapshot, not from the failed one, and restores correctly.
 */
@QemuTest
class ServerGoneS3QemuTest {
    private static final long MIB = BackupVm.MIB;

    @TempDir
    Path root;

    @Test
    void serverGoneMidBackupFailsCleanlyAndTheNextBackupIsRight() throws Exception {
        S3Repository s3 = S3Repository.fresh("repo");
        S3TestServer server = s3.server;
        String bucket = s3.bucket;
        String direct = s3.uri;
        try (TcpProxy proxy = new TcpProxy(URI.create(server.endpoint()).getPort());
                BackupVm vm = new BackupVm(root, "vm1", Map.of("vda", 32 * MIB))) {
            String viaProxy = direct + "?endpoint=http://127.0.0.1:" + proxy.port();
            ChildCli host = new ChildCli(root, server.environment());
            s3.init(host);
            vm.write("vda", 0, 4 * MIB, 0x10);
            JsonNode first = s3.backup(host, vm, viaProxy);
            String base = first.path("id").asText();
            String baseCheckpoint = checkpoints(vm)[0];

            // Sixteen distinct chunks to upload; the server goes away after about five of them.
            for (int i = 0; i < 16; i++) {
                vm.write("vda", (8 + i) * MIB, MIB, 0x40 + i);
            }
            proxy.stopAfterUpload(5 * MIB);
            ChildCli.Result failed = host.run("-c", vm.uri(), "backup", vm.name(), "--repo", viaProxy);
            assertThat(failed.status()).as(failed.toString()).isEqualTo(1);
            assertThat(failed.stderr()).as(failed.toString()).containsPattern("(?m)^error: ")
                    .contains("backing up disk 'vda' failed")
                    .containsPattern("object '[^']+' in 's3://" + bucket + "/repo")
                    .contains("request failed after")
                    .doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(failed.stdout()).doesNotContain("committed");
            assertThat(proxy.uploaded()).as("the cut came after some uploads").isGreaterThan(5 * MIB);
            // Nothing published, nothing left on the VM, the committed snapshot's checkpoint untouched.
            assertThat(s3.ids(host)).containsExactly(base);
            BackupChecks.nothingLeft(vm, host.tmp());
            assertThat(checkpoints(vm)).containsExactly(baseCheckpoint);

            proxy.start();
            vm.write("vda", 30 * MIB, MIB, 0x77);
            byte[] expected = vm.model("vda");
            JsonNode next = s3.backup(host, vm, viaProxy);
            JsonNode disk = next.path("disks").get(0);
            assertThat(disk.path("mode").asText()).isEqualTo("incremental");
            // Everything written since the committed snapshot, the failed run's data included.
            assertThat(disk.path("bytesRead").asLong()).isEqualTo(17 * MIB);
            assertThat(s3.ids(host)).containsExactlyInAnyOrder(base, next.path("id").asText());
            BackupChecks.nothingLeft(vm, host.tmp());

            s3.assertRestores(host, root, next.path("id").asText(), expected);
            ChildCli.Result verify = host.run("verify", "--repo", direct);
            assertThat(verify.status()).as(verify.toString()).isZero();
        }
    }

    private static String[] checkpoints(BackupVm vm) {
        return vm.domain().listCheckpoints(0).stream().map(Checkpoint::name).toArray(String[]::new);
    }
}
