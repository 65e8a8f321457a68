package io.backpoint.qemu.backup;

import static io.backpoint.qemu.testing.TestVm.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.api.Domain;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.qemu.testing.RunningVms;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.testing.QemuTest;
import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A begin that creates a checkpoint, stopped dead (a simulated crash) or failing at each step
 * between its transaction and a running job, on a real QEMU: the checkpoint is never a bitmap
 * without metadata, and a begin that did not get to RUNNING takes its checkpoint back.
 */
@QemuTest
class BackupCrashQemuTest {
    @RegisterExtension
    static final RunningVms VMS = new RunningVms();

    @TempDir
    Path root;

    private Path out;
    private Domain dom;

    @BeforeEach
    void start() throws Exception {
        out = Files.createDirectories(root.resolve("out"));
        dom = VMS.start(root, 64 * MIB, "qcow2", "qcow2").dom();
    }

    @AfterEach
    void stop() {
        CrashPoints.install(null);
    }

    private String pull() {
        return "<domainbackup mode='pull'><server transport='unix' socket='" + root.resolve("nbd.sock")
                + "'/><disks><disk name='vda' type='file'><scratch file='" + out.resolve("vda.scratch")
                + "'/></disk><disk name='vdb' type='file'><scratch file='" + out.resolve("vdb.scratch")
                + "'/></disk></disks></domainbackup>";
    }

    private static final String C1 = "<domaincheckpoint><name>c1</name></domaincheckpoint>";

    private String bitmaps() {
        return TestVm.qmp(dom, "{\"execute\":\"query-named-block-nodes\",\"arguments\":{\"flat\":true}}").toString();
    }

    @Test
    void aRunningJobsCheckpointHasItsMetadata() throws Exception {
        SimulatedCrash.at(CrashPoints.AFTER_RUNNING);
        assertThatThrownBy(() -> dom.backupBegin(pull(), C1, 0)).isInstanceOf(SimulatedCrash.class);

        // The job runs on (its begin got as far as RUNNING), and its checkpoint is a real one.
        assertThat(dom.jobInfo(false).type()).isEqualTo(JobType.UNBOUNDED);
        assertThat(dom.listCheckpoints(0)).extracting(c -> c.name()).containsExactly("c1");
        assertThat(bitmaps()).contains("\"c1\"");
        dom.abortJob();
        assertThat(dom.listCheckpoints(0)).extracting(c -> c.name()).containsExactly("c1");
    }

    @Test
    void aBeginStoppedAfterCommittingItsCheckpointIsUndoneWithTheCheckpoint() throws Exception {
        SimulatedCrash.at(CrashPoints.AFTER_COMMIT);
        assertThatThrownBy(() -> dom.backupBegin(pull(), C1, 0)).isInstanceOf(SimulatedCrash.class);
        assertThat(Files.exists(root.resolve("state/checkpoint/vm1/c1.xml"))).isTrue();

        // The next call finds a begin that never reached RUNNING and takes all of it back.
        assertThat(dom.jobInfo(false).type()).isEqualTo(JobType.NONE);
        JobInfo failed = dom.jobInfo(true);
        assertThat(failed.type()).isEqualTo(JobType.FAILED);
        assertThat(failed.errorMessage()).contains("interrupted");
        assertThat(dom.listCheckpoints(0)).isEmpty();
        assertThat(bitmaps()).doesNotContain("\"c1\"");
        assertThat(BackupProbe.leftovers(dom)).isEmpty();
        assertThat(Files.list(out).toList()).isEmpty();
        dom.createCheckpoint(C1, 0);
        assertThat(dom.listCheckpoints(0)).extracting(c -> c.name()).containsExactly("c1");
    }

    @Test
    void aCommitThatFailsUndoesTheBegin() throws Exception {
        CrashPoints.install(p -> {
            if (p.equals(CrashPoints.BEFORE_COMMIT)) {
                throw new BackpointException(ErrorCode.WRITE_FAILED, "unable to save metadata for checkpoint c1: disk full");
            }
        });
        assertThatThrownBy(() -> dom.backupBegin(pull(), C1, 0)).isInstanceOfSatisfying(BackpointException.class,
                e -> assertThat(e.getMessage()).contains("disk full"));
        CrashPoints.install(null);

        assertThat(dom.jobInfo(false).type()).isEqualTo(JobType.NONE);
        assertThat(dom.listCheckpoints(0)).isEmpty();
        assertThat(bitmaps()).doesNotContain("\"c1\"");
        assertThat(BackupProbe.leftovers(dom)).isEmpty();
        assertThat(Files.list(out).toList()).isEmpty();
        assertThat(Files.exists(root.resolve("nbd.sock"))).isFalse();
    }
}
