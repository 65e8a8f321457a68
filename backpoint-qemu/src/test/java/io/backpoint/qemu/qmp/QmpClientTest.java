package io.backpoint.qemu.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.qemu.testing.FakeQmpPeer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class QmpClientTest {
    private static final Duration T = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private static ObjectNode qcow2Options() {
        return JsonNodeFactory.instance.objectNode().put("driver", "qcow2").put("file", "s").put("size", 1048576);
    }

    @Test
    void blockdevCreateWaitsForConclusionAndDismisses() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).handshake()
                .reply("blockdev-create", "{}")
                .reply("query-jobs", "[{\"current-progress\": 0, \"status\": \"running\", \"total-progress\": 1, \"type\": \"create\", \"id\": \"create-x\"}]")
                .reply("query-jobs", "[{\"current-progress\": 1, \"status\": \"concluded\", \"total-progress\": 1, \"type\": \"create\", \"id\": \"create-x\"}]")
                .reply("job-dismiss", "{}")
                .idle().start();
                QmpClient qmp = new QmpClient(QmpConnection.open(peer.path(), T))) {
            qmp.blockdevCreate("create-x", qcow2Options(), T);
            assertThat(peer.requests()).extracting(r -> r.get("execute").asText()).containsExactly(
                    "qmp_capabilities", "blockdev-create", "query-jobs", "query-jobs", "job-dismiss");
            assertThat(peer.requests().get(1).get("arguments").toString())
                    .isEqualTo("{\"job-id\":\"create-x\",\"options\":{\"driver\":\"qcow2\",\"file\":\"s\",\"size\":1048576}}");
            assertThat(peer.requests().get(4).get("arguments").get("id").asText()).isEqualTo("create-x");
        }
    }

    @Test
    void failedJobIsReportedAfterDismiss() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).handshake()
                .reply("blockdev-create", "{}")
                .reply("query-jobs", "[{\"current-progress\": 1, \"status\": \"concluded\", \"total-progress\": 1, \"type\": \"create\", \"id\": \"create-x\", \"error\": \"Could not resize image: No space left on device\"}]")
                .reply("job-dismiss", "{}")
                .idle().start();
                QmpClient qmp = new QmpClient(QmpConnection.open(peer.path(), T))) {
            assertThatThrownBy(() -> qmp.blockdevCreate("create-x", qcow2Options(), T))
                    .isInstanceOfSatisfying(QmpException.class, e -> assertThat(e.libvirtMessage()).isEqualTo(
                            "unable to execute QEMU command 'blockdev-create': Could not resize image: No space left on device"));
            assertThat(peer.requests()).extracting(r -> r.get("execute").asText()).endsWith("job-dismiss");
        }
    }

    @Test
    void exportAndNbdArgumentsAreSpelledAsQapi() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).handshake()
                .reply("nbd-server-start", "{}")
                .reply("block-export-add", "{}")
                .reply("block-job-cancel", "{}")
                .reply("nbd-server-stop", "{}")
                .reply("human-monitor-command", "\"wrote 1048576/1048576 bytes at offset 0\\r\\n\"")
                .idle().start();
                QmpClient qmp = new QmpClient(QmpConnection.open(peer.path(), T))) {
            qmp.nbdServerStartUnix("/run/x.sock");
            qmp.blockExportAddNbd("bp-nbd-vda", "bp-vda-scratch", "vda", false, List.of("backup-vda"));
            qmp.blockJobCancel("backup-vda", true);
            qmp.nbdServerStop();
            assertThat(qmp.humanMonitorCommand("qemu-io -d x \"write 0 1M\"")).startsWith("wrote 1048576");
            assertThat(peer.requests().get(1).get("arguments").toString())
                    .isEqualTo("{\"addr\":{\"type\":\"unix\",\"data\":{\"path\":\"/run/x.sock\"}}}");
            assertThat(peer.requests().get(2).get("arguments").toString()).isEqualTo(
                    "{\"type\":\"nbd\",\"id\":\"bp-nbd-vda\",\"node-name\":\"bp-vda-scratch\",\"writable\":false,\"name\":\"vda\",\"bitmaps\":[\"backup-vda\"]}");
            assertThat(peer.requests().get(3).get("arguments").toString())
                    .isEqualTo("{\"device\":\"backup-vda\",\"force\":true}");
            assertThat(peer.requests().get(4).has("arguments")).isFalse();
        }
    }

    @Test
    void quitTreatsHangUpAsSuccess() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).handshake().hangUpOn("quit").start();
                QmpClient qmp = new QmpClient(QmpConnection.open(peer.path(), T))) {
            qmp.quit();
            assertThat(qmp.connection().isOpen()).isFalse();
        }
    }
}
