package io.backpoint.qemu.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.qemu.testing.FakeQmpPeer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

    @Test
    void aStepIsSentAsPlannedAndObserved() throws Exception {
        List<QmpStep> seen = new ArrayList<>();
        QmpStep step = new QmpStep("block-export-add", JsonNodeFactory.instance.objectNode().put("type", "nbd")
                .put("id", "bp-nbd-vda").put("node-name", "bp-vda-scratch").put("writable", false).put("name", "vda"));
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).handshake()
                .reply("block-export-add", "{}")
                .reply("nbd-server-stop", "{}")
                .idle().start();
                QmpClient qmp = new QmpClient(QmpConnection.open(peer.path(), T), seen::add)) {
            qmp.execute(step);
            qmp.execute(QmpCommands.nbdServerStop());
            assertThat(peer.requests().get(1).get("arguments").toString()).isEqualTo(
                    "{\"type\":\"nbd\",\"id\":\"bp-nbd-vda\",\"node-name\":\"bp-vda-scratch\",\"writable\":false,\"name\":\"vda\"}");
            assertThat(peer.requests().get(2).has("arguments")).isFalse();
            assertThat(seen).containsExactly(step, QmpCommands.nbdServerStop());
        }
    }

    @Test
    void awaitConcludedRereadsTheJobsUntilItConcludes() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).handshake()
                .reply("query-jobs", "[{\"current-progress\": 0, \"status\": \"running\", \"total-progress\": 1, \"type\": \"create\", \"id\": \"create-x\"}]")
                .reply("query-jobs", "[{\"current-progress\": 1, \"status\": \"concluded\", \"total-progress\": 1, \"type\": \"create\", \"id\": \"create-x\", \"error\": \"No space left on device\"}]")
                .idle().start();
                QmpClient qmp = new QmpClient(QmpConnection.open(peer.path(), T))) {
            QmpJob job = qmp.awaitConcluded("create-x", T);
            assertThat(job.concluded()).isTrue();
            assertThat(job.error()).isEqualTo("No space left on device");
            assertThat(peer.requests()).extracting(r -> r.get("execute").asText())
                    .containsExactly("qmp_capabilities", "query-jobs", "query-jobs");
        }
    }

    @Test
    void awaitConcludedFailsForAJobQemuDoesNotHave() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).handshake()
                .reply("query-jobs", "[]")
                .idle().start();
                QmpClient qmp = new QmpClient(QmpConnection.open(peer.path(), T))) {
            assertThatThrownBy(() -> qmp.awaitConcluded("create-x", T)).isInstanceOf(QmpException.class)
                    .hasMessageContaining("job 'create-x' not found");
        }
    }
}
