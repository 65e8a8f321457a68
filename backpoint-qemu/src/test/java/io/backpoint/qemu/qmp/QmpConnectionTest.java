package io.backpoint.qemu.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.backpoint.qemu.testing.FakeQmpPeer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class QmpConnectionTest {
    private static final QmpStep QUERY_STATUS = new QmpStep("query-status", null);
    private static final Duration T = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void greetingCapabilitiesAndCommandWithUniqueIds() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).handshake()
                .reply("query-status", "{\"status\": \"running\", \"singlestep\": false, \"running\": true}")
                .reply("query-status", "{\"status\": \"paused\", \"singlestep\": false, \"running\": false}")
                .idle().start();
                QmpConnection c = QmpConnection.open(peer.path(), T);
                QmpClient qmp = new QmpClient(c)) {
            assertThat(c.greeting().path("version").path("qemu").path("major").asInt()).isEqualTo(7);
            assertThat(qmp.execute(QUERY_STATUS).path("status").asText()).isEqualTo("running");
            assertThat(qmp.execute(QUERY_STATUS).path("status").asText()).isEqualTo("paused");
            List<JsonNode> reqs = peer.requests();
            assertThat(reqs).extracting(r -> r.get("execute").asText())
                    .containsExactly("qmp_capabilities", "query-status", "query-status");
            assertThat(reqs).extracting(r -> r.get("id").asText()).doesNotHaveDuplicates();
            assertThat(reqs.get(0).has("arguments")).isFalse();
        }
    }

    @Test
    void eventsInterleavedWithRepliesArriveInOrder() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).greet()
                .send(FakeQmpPeer.event("RESUME", "null"))
                .reply("qmp_capabilities", "{}")
                .expect("query-jobs", req -> List.of(
                        FakeQmpPeer.event("JOB_STATUS_CHANGE", "{\"status\": \"created\", \"id\": \"j1\"}"),
                        FakeQmpPeer.event("JOB_STATUS_CHANGE", "{\"status\": \"running\", \"id\": \"j1\"}"),
                        FakeQmpPeer.returnLine(req, "[]"),
                        FakeQmpPeer.event("JOB_STATUS_CHANGE", "{\"status\": \"concluded\", \"id\": \"j1\"}")))
                .idle().start();
                QmpConnection c = QmpConnection.open(peer.path(), T, e -> seen.add(e.name()))) {
            assertThat(c.execute("query-jobs", null).isArray()).isTrue();
            List<String> statuses = new ArrayList<>();
            QmpEvent first = c.pollEvent(T);
            assertThat(first.name()).isEqualTo("RESUME");
            assertThat(first.data().isNull()).isTrue();
            for (int i = 0; i < 3; i++) {
                QmpEvent e = c.pollEvent(T);
                assertThat(e.name()).isEqualTo("JOB_STATUS_CHANGE");
                assertThat(e.seconds()).isEqualTo(1795304865L);
                statuses.add(e.data().get("status").asText());
            }
            assertThat(statuses).containsExactly("created", "running", "concluded");
            assertThat(c.pollEvent(Duration.ofMillis(50))).isNull();
            assertThat(seen).containsExactly("RESUME", "JOB_STATUS_CHANGE", "JOB_STATUS_CHANGE", "JOB_STATUS_CHANGE");
        }
    }

    @Test
    void errorReplyIsQmpExceptionAndConnectionStaysUsable() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).handshake()
                .error("block-dirty-bitmap-add", "GenericError", "Bitmap already exists: cp1")
                .reply("query-status", "{\"status\": \"running\", \"running\": true}")
                .idle().start();
                QmpClient qmp = new QmpClient(QmpConnection.open(peer.path(), T))) {
            assertThatThrownBy(() -> qmp.execute(QmpStep.ofAction(
                    io.backpoint.qemu.block.BlockActions.bitmapAdd("bp-vda-format", "cp1", true, false, null))))
                    .isInstanceOfSatisfying(QmpException.class, e -> {
                        assertThat(e.command()).isEqualTo("block-dirty-bitmap-add");
                        assertThat(e.errorClass()).isEqualTo("GenericError");
                        assertThat(e.desc()).isEqualTo("Bitmap already exists: cp1");
                        assertThat(e.libvirtMessage()).isEqualTo(
                                "unable to execute QEMU command 'block-dirty-bitmap-add': Bitmap already exists: cp1");
                    });
            assertThat(qmp.execute(QUERY_STATUS).path("running").asBoolean()).isTrue();
            JsonNode sent = peer.requests().get(1).get("arguments");
            assertThat(sent.toString()).isEqualTo(
                    "{\"node\":\"bp-vda-format\",\"name\":\"cp1\",\"persistent\":true,\"disabled\":false}");
        }
    }

    @Test
    void garbageIsProtocolErrorAndClosesConnection() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).handshake()
                .expect("query-status", req -> List.of("this is not json {"))
                .idle().start();
                QmpConnection c = QmpConnection.open(peer.path(), T)) {
            assertThatThrownBy(() -> c.execute("query-status", null))
                    .isInstanceOf(QmpProtocolException.class)
                    .hasMessageContaining("not JSON");
            assertThat(c.isOpen()).isFalse();
            assertThatThrownBy(() -> c.execute("query-status", null))
                    .isInstanceOf(QmpProtocolException.class);
        }
    }

    @Test
    void nonObjectAndUnknownMessagesAreProtocolErrors() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).handshake()
                .expect("query-status", req -> List.of("[1, 2]")).idle().start();
                QmpConnection c = QmpConnection.open(peer.path(), T)) {
            assertThatThrownBy(() -> c.execute("query-status", null))
                    .isInstanceOf(QmpProtocolException.class).hasMessageContaining("not an object");
        }
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).handshake()
                .expect("query-status", req -> List.of("{\"surprise\": 1}")).idle().start();
                QmpConnection c = QmpConnection.open(peer.path(), T)) {
            assertThatThrownBy(() -> c.execute("query-status", null))
                    .isInstanceOf(QmpProtocolException.class).hasMessageContaining("unknown message");
        }
    }

    @Test
    void replyWithoutIdIsProtocolError() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).handshake()
                .expect("query-status", req -> List.of(
                        "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error\"}}"))
                .idle().start();
                QmpConnection c = QmpConnection.open(peer.path(), T)) {
            assertThatThrownBy(() -> c.execute("query-status", null))
                    .isInstanceOf(QmpProtocolException.class).hasMessageContaining("without an id");
        }
    }

    @Test
    void disconnectMidCommandIsDisconnectedForThisAndLaterCommands() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).handshake().hangUpOn("transaction").start();
                QmpConnection c = QmpConnection.open(peer.path(), T)) {
            assertThatThrownBy(() -> c.execute("transaction", JsonNodeFactory.instance.objectNode()))
                    .isExactlyInstanceOf(QmpDisconnectedException.class)
                    .hasMessageContaining("'transaction'")
                    .hasMessageContaining("closed the monitor connection");
            assertThat(c.isOpen()).isFalse();
            assertThatThrownBy(() -> c.execute("query-status", null))
                    .isExactlyInstanceOf(QmpDisconnectedException.class);
        }
    }

    @Test
    void stallTimesOutAndLateReplyIsDropped() throws Exception {
        CompletableFuture<String> lateId = new CompletableFuture<>();
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).handshake()
                .step(p -> { })
                .expect("query-jobs", req -> {
                    lateId.complete(req.get("id").asText());
                    return List.of();
                })
                // The late reply to query-jobs arrives before the next command's reply.
                .expect("query-status", req -> List.of(
                        "{\"return\": [{\"stale\": true}], \"id\": \"" + lateId.join() + "\"}",
                        FakeQmpPeer.returnLine(req, "{\"status\": \"running\", \"running\": true}")))
                .idle().start();
                QmpConnection c = QmpConnection.open(peer.path(), T)) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> c.execute("query-jobs", null, Duration.ofMillis(300)))
                    .isInstanceOf(QmpTimeoutException.class)
                    .hasMessageContaining("'query-jobs'");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(c.isOpen()).isTrue();
            assertThat(c.execute("query-status", null).get("status").asText()).isEqualTo("running");
        }
    }

    @Test
    void repliesOutOfOrderGoToTheirCallers() throws Exception {
        CompletableFuture<JsonNode> first = new CompletableFuture<>();
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).handshake()
                .expect("query-jobs", req -> {
                    first.complete(req);
                    return List.of();
                })
                .expect("query-status", req -> List.of(
                        FakeQmpPeer.returnLine(req, "{\"status\": \"running\", \"running\": true}"),
                        FakeQmpPeer.returnLine(first.join(), "[]")))
                .idle().start();
                QmpConnection c = QmpConnection.open(peer.path(), T)) {
            CompletableFuture<JsonNode> jobs = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.execute("query-jobs", null);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            first.get(5, TimeUnit.SECONDS);
            JsonNode status = c.execute("query-status", null);
            assertThat(status.get("status").asText()).isEqualTo("running");
            assertThat(jobs.get(5, TimeUnit.SECONDS).isArray()).isTrue();
        }
    }

    @Test
    void missingGreetingTimesOut() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).idle().start()) {
            assertThatThrownBy(() -> QmpConnection.open(peer.path(), Duration.ofMillis(300)))
                    .isInstanceOf(QmpTimeoutException.class).hasMessageContaining("no QMP greeting");
        }
    }

    @Test
    void messageBeforeGreetingIsProtocolError() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).send("{\"return\": {}, \"id\": \"x\"}").idle().start()) {
            assertThatThrownBy(() -> QmpConnection.open(peer.path(), T))
                    .isInstanceOf(QmpProtocolException.class).hasMessageContaining("greeting");
        }
    }

    @Test
    void anEventBeforeTheGreetingIsDropped() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir)
                .send("{\"event\": \"JOB_STATUS_CHANGE\", \"data\": {\"status\": \"running\", \"id\": \"j\"},"
                        + " \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}")
                .handshake().idle().start();
                QmpConnection conn = QmpConnection.open(peer.path(), T)) {
            assertThat(conn.greeting().path("version").path("qemu").path("major").asInt()).isEqualTo(7);
            assertThat(conn.pollEvent(Duration.ofMillis(50))).isNull();
        }
    }

    @Test
    void refusedCapabilitiesFailOpen() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).greet()
                .error("qmp_capabilities", "CommandNotFound", "Capabilities negotiation is already complete")
                .idle().start()) {
            assertThatThrownBy(() -> QmpConnection.open(peer.path(), T))
                    .isInstanceOfSatisfying(QmpException.class,
                            e -> assertThat(e.errorClass()).isEqualTo("CommandNotFound"));
        }
    }

    @Test
    void hangUpBeforeGreetingIsDisconnected() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).hangUp().start()) {
            assertThatThrownBy(() -> QmpConnection.open(peer.path(), T))
                    .isExactlyInstanceOf(QmpDisconnectedException.class);
        }
    }

    @Test
    void noSocketIsDisconnected() {
        assertThatThrownBy(() -> QmpConnection.open(dir.resolve("absent.qmp"), T))
                .isExactlyInstanceOf(QmpDisconnectedException.class)
                .hasMessageContaining("cannot connect to QEMU monitor")
                .hasMessageContaining("absent.qmp");
    }

    @Test
    void closeFailsLaterCommands() throws Exception {
        try (FakeQmpPeer peer = new FakeQmpPeer(dir).handshake().idle().start()) {
            QmpConnection c = QmpConnection.open(peer.path(), T);
            c.close();
            assertThat(c.isOpen()).isFalse();
            assertThatThrownBy(() -> c.execute("query-status", null))
                    .isExactlyInstanceOf(QmpDisconnectedException.class).hasMessageContaining("closed");
        }
    }
}
