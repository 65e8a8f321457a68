package io.backpoint.qemu.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent client against a scripted agent on a real socket: the faults a real qemu-ga will not produce. */
class GuestAgentTest {
    private static final Duration SHORT = Duration.ofMillis(300);
    /** Bounds every test: a client that waits forever fails here rather than hanging the build. */
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void syncSkipsStaleRepliesAndTheParseErrorForItsResetByte() throws Exception {
        try (FakeAgent fake = new FakeAgent(dir, (cmd, req, n) -> cmd.equals("guest-sync-delimited")
                // What an earlier client left behind: a late reply and an old sync's reply, then ours.
                ? new FakeAgent.Answer("{\"return\": {}}\n\u00ff{\"return\": 7}\n"
                        + FakeAgent.healthy(cmd, req).raw(), false)
                : FakeAgent.healthy(cmd, req))) {
            try (GuestAgent agent = GuestAgent.connect(fake.path(), BOUND)) {
                agent.ping();
                assertThat(agent.freezeStatus()).isEqualTo(FreezeStatus.THAWED);
                assertThat(agent.freeze(BOUND)).isEqualTo(1);
                assertThat(agent.thaw(BOUND)).isEqualTo(1);
            }
            assertThat(fake.commands()).containsExactly("guest-sync-delimited", "guest-ping", "guest-fsfreeze-status",
                    "guest-fsfreeze-freeze", "guest-fsfreeze-thaw");
        }
    }

    @Test
    void anAgentThatNeverAnswersTimesOut() throws Exception {
        try (FakeAgent fake = new FakeAgent(dir, (cmd, req, n) -> FakeAgent.Answer.silence())) {
            assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> GuestAgent.connect(fake.path(), SHORT))
                    .isInstanceOf(AgentTimeoutException.class)
                    .hasMessage("the guest agent did not answer guest-sync-delimited in time"));
        }
    }

    @Test
    void aCommandWithoutReplyTimesOutAndClosesTheConnection() throws Exception {
        try (FakeAgent fake = new FakeAgent(dir, (cmd, req, n) -> cmd.equals("guest-fsfreeze-freeze")
                ? FakeAgent.Answer.silence() : FakeAgent.healthy(cmd, req))) {
            try (GuestAgent agent = GuestAgent.connect(fake.path(), BOUND)) {
                assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> agent.freeze(SHORT))
                        .isInstanceOf(AgentTimeoutException.class)
                        .hasMessage("the guest agent did not answer 'guest-fsfreeze-freeze' in time"));
                // A late freeze reply must never be read as the thaw's: this connection is done.
                assertThatThrownBy(() -> agent.thaw(BOUND)).isInstanceOf(IOException.class)
                        .isNotInstanceOf(AgentException.class);
            }
        }
    }

    @Test
    void garbageIsAnErrorNamingWhatCame() throws Exception {
        try (FakeAgent fake = new FakeAgent(dir, (cmd, req, n) -> cmd.equals("guest-ping")
                ? FakeAgent.Answer.reply("<html>hello") : FakeAgent.healthy(cmd, req))) {
            try (GuestAgent agent = GuestAgent.connect(fake.path(), BOUND)) {
                assertThatThrownBy(agent::ping).isInstanceOf(IOException.class)
                        .hasMessage("guest agent sent something that is not a JSON object: '<html>hello'");
            }
        }
    }

    @Test
    void garbageAfterTheSyncDelimiterFailsTheConnect() throws Exception {
        try (FakeAgent fake = new FakeAgent(dir, (cmd, req, n) -> new FakeAgent.Answer("\u00ff%%%\n", false))) {
            assertThatThrownBy(() -> GuestAgent.connect(fake.path(), BOUND)).isInstanceOf(IOException.class)
                    .hasMessageContaining("not a JSON object: '%%%'");
        }
    }

    @Test
    void aHangUpIsAnErrorNotAWait() throws Exception {
        try (FakeAgent fake = new FakeAgent(dir, (cmd, req, n) -> cmd.equals("guest-fsfreeze-status")
                ? FakeAgent.Answer.hangUp() : FakeAgent.healthy(cmd, req))) {
            try (GuestAgent agent = GuestAgent.connect(fake.path(), BOUND)) {
                assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(agent::freezeStatus)
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("socket closed")
                        .hasMessageContaining("'guest-fsfreeze-status'"));
            }
        }
    }

    @Test
    void anErrorReplyKeepsItsClassAndDescription() throws Exception {
        try (FakeAgent fake = new FakeAgent(dir, (cmd, req, n) -> cmd.equals("guest-fsfreeze-freeze")
                ? FakeAgent.Answer.reply("{\"error\": {\"class\": \"GenericError\", \"desc\": \"failed to freeze /data: Device or resource busy\"}}")
                : FakeAgent.healthy(cmd, req))) {
            try (GuestAgent agent = GuestAgent.connect(fake.path(), BOUND)) {
                assertThatThrownBy(() -> agent.freeze(BOUND)).isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.errorClass()).isEqualTo("GenericError");
                    assertThat(e.desc()).isEqualTo("failed to freeze /data: Device or resource busy");
                });
                // An error reply is a whole reply: the connection goes on.
                agent.ping();
            }
        }
    }

    @Test
    void noSocketIsAConnectError() {
        assertThatThrownBy(() -> GuestAgent.connect(dir.resolve("none"), BOUND)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot connect to the guest agent at '" + dir.resolve("none") + "'");
    }

    @Test
    void anUnknownFreezeStatusIsRefused() throws Exception {
        try (FakeAgent fake = new FakeAgent(dir, (cmd, req, n) -> cmd.equals("guest-fsfreeze-status")
                ? FakeAgent.Answer.reply("{\"return\": \"melting\"}") : FakeAgent.healthy(cmd, req))) {
            try (GuestAgent agent = GuestAgent.connect(fake.path(), BOUND)) {
                assertThatThrownBy(agent::freezeStatus).hasMessage("guest agent reported an unknown freeze status 'melting'");
            }
        }
    }
}
