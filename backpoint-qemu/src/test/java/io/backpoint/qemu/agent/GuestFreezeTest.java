package io.backpoint.qemu.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Freeze, instant, thaw: the thaw always comes, and the intent record says when it may not have. */
class GuestFreezeTest {
    private static final Duration SHORT = Duration.ofMillis(300);
    private static final Duration LONG = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private Path record() {
        return dir.resolve("vm.frozen");
    }

    @Test
    void freezesAroundTheInstantOnlyAndLeavesNoRecord() throws Exception {
        try (FakeAgent fake = new FakeAgent(dir, (cmd, req, n) -> FakeAgent.healthy(cmd, req))) {
            AtomicBoolean recordDuringInstant = new AtomicBoolean();
            try (GuestFreeze freeze = GuestFreeze.connect(fake.path(), record(), LONG)) {
                freeze.around(() -> {
                    recordDuringInstant.set(Files.exists(record()));
                    fake.commands().add("INSTANT");
                });
            }
            assertThat(recordDuringInstant).isTrue();
            assertThat(fake.commands()).containsExactly("guest-sync-delimited", "guest-ping", "guest-fsfreeze-freeze",
                    "INSTANT", "guest-fsfreeze-thaw");
            assertThat(record()).doesNotExist();
        }
    }

    @Test
    void aSilentAgentIsRefusedBeforeAnythingIsFrozenOrRecorded() throws Exception {
        try (FakeAgent fake = new FakeAgent(dir, (cmd, req, n) -> FakeAgent.Answer.silence())) {
            assertThatThrownBy(() -> GuestFreeze.connect(fake.path(), record(), SHORT))
                    .isInstanceOfSatisfying(BackpointException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.AGENT_UNRESPONSIVE);
                        assertThat(e.detail()).isEqualTo("the guest agent did not answer"
                                + " guest-sync-delimited in time; is qemu-ga running in the guest?");
                    });
            assertThat(fake.commands()).doesNotContain("guest-fsfreeze-freeze");
            assertThat(record()).doesNotExist();
        }
    }

    @Test
    void aFailingInstantIsThawedAndItsErrorKept() throws Exception {
        try (FakeAgent fake = new FakeAgent(dir, (cmd, req, n) -> FakeAgent.healthy(cmd, req))) {
            try (GuestFreeze freeze = GuestFreeze.connect(fake.path(), record(), LONG)) {
                assertThatThrownBy(() -> freeze.around(() -> {
                    throw new IOException("transaction refused");
                })).hasMessage("transaction refused");
            }
            assertThat(fake.commands()).endsWith("guest-fsfreeze-freeze", "guest-fsfreeze-thaw");
            assertThat(record()).doesNotExist();
        }
    }

    @Test
    void anUncheckedFailureIsThawedToo() throws Exception {
        try (FakeAgent fake = new FakeAgent(dir, (cmd, req, n) -> FakeAgent.healthy(cmd, req))) {
            try (GuestFreeze freeze = GuestFreeze.connect(fake.path(), record(), LONG)) {
                assertThatThrownBy(() -> freeze.around(() -> {
                    throw new AssertionError("killed here");
                })).hasMessage("killed here");
            }
            assertThat(fake.commands()).endsWith("guest-fsfreeze-thaw");
            assertThat(record()).doesNotExist();
        }
    }

    @Test
    void anInterruptedInstantIsThawedAndTheInterruptKept() throws Exception {
        try (FakeAgent fake = new FakeAgent(dir, (cmd, req, n) -> FakeAgent.healthy(cmd, req))) {
            try (GuestFreeze freeze = GuestFreeze.connect(fake.path(), record(), LONG)) {
                assertThatThrownBy(() -> freeze.around(() -> {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted waiting for QEMU command 'transaction'");
                })).isInstanceOf(java.io.InterruptedIOException.class);
                assertThat(Thread.interrupted()).as("the interrupt is still there for the caller").isTrue();
            }
            assertThat(fake.commands()).endsWith("guest-fsfreeze-freeze", "guest-fsfreeze-thaw");
            assertThat(record()).doesNotExist();
        }
    }

    @Test
    void aFreezeThatHangsTimesOutAndIsThawedOnAFreshConnection() throws Exception {
        try (FakeAgent fake = new FakeAgent(dir, (cmd, req, n) -> cmd.equals("guest-fsfreeze-freeze")
                ? FakeAgent.Answer.silence() : FakeAgent.healthy(cmd, req))) {
            AtomicBoolean instantRan = new AtomicBoolean();
            try (GuestFreeze freeze = GuestFreeze.connect(fake.path(), record(), SHORT)) {
                assertThatThrownBy(() -> freeze.around(() -> instantRan.set(true)))
                        .isInstanceOfSatisfying(BackpointException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED);
                            assertThat(e.detail()).isEqualTo("cannot freeze the guest's file systems:"
                                    + " the guest agent did not answer 'guest-fsfreeze-freeze' in time");
                        });
            }
            assertThat(instantRan).isFalse();
            // The freeze may have happened in the guest after all: a thaw follows, after a new sync.
            assertThat(fake.commands()).endsWith("guest-fsfreeze-freeze", "guest-sync-delimited", "guest-fsfreeze-thaw");
            assertThat(record()).doesNotExist();
        }
    }

    @Test
    void aThawThatFailsKeepsTheRecordForTheNextCaller() throws Exception {
        try (FakeAgent fake = new FakeAgent(dir, (cmd, req, n) -> cmd.equals("guest-fsfreeze-thaw")
                ? FakeAgent.Answer.silence() : FakeAgent.healthy(cmd, req))) {
            try (GuestFreeze freeze = GuestFreeze.connect(fake.path(), record(), SHORT)) {
                assertThatThrownBy(() -> freeze.around(() -> { }))
                        .isInstanceOfSatisfying(BackpointException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.AGENT_UNRESPONSIVE);
                            assertThat(e.detail()).startsWith("cannot thaw the guest's file systems:")
                                    .contains("the next call on this domain tries again");
                        });
            }
            assertThat(record()).exists();
            assertThat(Files.readString(record()).strip()).isEqualTo(fake.path().toAbsolutePath().toString());
        }
    }

    @Test
    void recoverThawsWhatARecordNamesAndRemovesIt() throws Exception {
        try (FakeAgent fake = new FakeAgent(dir, (cmd, req, n) -> FakeAgent.healthy(cmd, req))) {
            Files.writeString(record(), fake.path().toAbsolutePath() + "\n");
            assertThat(GuestFreeze.recover(record(), LONG)).isTrue();
            assertThat(fake.commands()).containsExactly("guest-sync-delimited", "guest-fsfreeze-thaw");
            assertThat(record()).doesNotExist();
            // Nothing recorded: nothing to do, the agent is not asked.
            assertThat(GuestFreeze.recover(record(), LONG)).isTrue();
            assertThat(fake.commands()).hasSize(2);
        }
    }

    @Test
    void recoverWithoutAnAgentKeepsTheRecord() throws Exception {
        Files.writeString(record(), dir.resolve("gone.sock") + "\n");
        assertThat(GuestFreeze.recover(record(), SHORT)).isFalse();
        assertThat(record()).exists();
    }
}
