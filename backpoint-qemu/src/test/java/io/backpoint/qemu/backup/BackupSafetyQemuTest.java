package io.backpoint.qemu.backup;

import static io.backpoint.qemu.testing.TestVm.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.backpoint.testing.QemuTest;
import io.backpoint.vocab.CheckpointCreateFlag;
import io.backpoint.vocab.CheckpointXmlFlag;
import io.backpoint.api.Domain;
import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.image.restore.BackupRecord;
import io.backpoint.image.restore.FileContent;
import io.backpoint.image.restore.RestoreChain;
import io.backpoint.qemu.testing.RunningVm;
import io.backpoint.qemu.testing.RunningVms;
import io.backpoint.qemu.testing.TestVm;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups never lose a good backup or hand over a bad one: a job that completed inside QEMU stays
 * completed when the domain goes away; a record is written only once the job completed, with
 * what restore checks the file against; a bitmap the job did not create is never removed; a
 * checkpoint whose disk now has another image is refused; a waiter learns its own job's outcome.
 */
@QemuTest
class BackupSafetyQemuTest {
    @RegisterExtension
    static final RunningVms VMS = new RunningVms();

    @TempDir
    Path root;

    private RunningVm vm;
    private Domain dom;
    private Path out;

    @BeforeEach
    void start() throws Exception {
        vm = VMS.start(root, 64 * MIB, "qcow2", "qcow2");
        dom = vm.dom();
        out = Files.createDirectories(root.resolve("out"));
    }

    private String push(String incremental, String disk, String file) {
        return "<domainbackup mode='push'>" + (incremental == null ? "" : "<incremental>" + incremental + "</incremental>")
                + "<disks><disk name='" + disk + "' type='file'><target file='" + out.resolve(file)
                + "'/></disk></disks></domainbackup>";
    }

    private static String checkpoint(String name) {
        return "<domaincheckpoint><name>" + name + "</name></domaincheckpoint>";
    }

    private void awaitConcludedInQemu() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            boolean all = true;
            for (JsonNode j : TestVm.qmp(dom, "{\"execute\":\"query-jobs\"}")) {
                all &= j.path("status").asText().equals("concluded");
            }
            if (all) {
                return;
            }
            assertThat(System.currentTimeMillis()).as("job concluded in QEMU").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void aPushJobThatCompletedInQemuStaysCompletedWhenTheDomainIsDestroyed() throws Exception {
        TestVm.guestWrite(dom, 0, 0x11, 0, MIB);
        dom.backupBegin(push(null, "vda", "vda.full"), checkpoint("c1"), 0);
        awaitConcludedInQemu();
        // No Backpoint call between the job's end in QEMU and the destroy.
        dom.destroy();
        assertThat(dom.jobInfo(true, true).type()).isEqualTo(JobType.COMPLETED);
        assertThat(out.resolve("vda.full")).exists();
        assertThat(BackupRecord.read(out.resolve("vda.full"))).isPresent();
        assertThat(dom.checkpoint("c1").name()).isEqualTo("c1");
    }

    @Test
    void shutdownSettlesTheJobFirstToo() throws Exception {
        dom.backupBegin(push(null, "vda", "vda.full"), null, 0);
        awaitConcludedInQemu();
        dom.shutdown();
        // Settled by shutdown itself: the record is there before any backup call.
        assertThat(Path.of(out.resolve("vda.full") + ".json")).exists();
        assertThat(Files.exists(root.resolve("state/backup/vm1/job.xml"))).isFalse();
    }

    @Test
    void aRecordIsWrittenOnlyOnceTheJobCompletedAndRestoreChecksTheFileAgainstIt() throws Exception {
        TestVm.guestWrite(dom, 0, 0x22, 0, 48 * MIB);
        Path target = out.resolve("vda.full");
        // A job that ended before the throttle landed is done again: the test needs one still running.
        for (int attempt = 0; ; attempt++) {
            dom.backupBegin(push(null, "vda", "vda.full"), null, 0);
            BackupProbe.throttle(dom, "vda", 64 * 1024);
            if (dom.jobInfo(false).type() == JobType.UNBOUNDED) {
                break;
            }
            assertThat(attempt).as("a job still running after the throttle").isLessThan(5);
            TestVm.awaitJobEnd(dom, 120_000);
            Files.delete(target);
            Files.delete(Path.of(target + ".json"));
        }
        assertThat(Path.of(target + ".json")).doesNotExist();
        // The half-written target is refused by restore, with the way to insist.
        assertThatThrownBy(() -> RestoreChain.check(List.of(target)))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID);
                    assertThat(e.detail()).contains(target.toString(), "no record", "--allow-unrecorded");
                });
        BackupProbe.throttle(dom, "vda", 0);
        assertThat(TestVm.awaitJobEnd(dom, 120_000).type()).isEqualTo(JobType.COMPLETED);
        BackupRecord record = BackupRecord.read(target).orElseThrow();
        assertThat(record.content()).isEqualTo(FileContent.of(target));
        assertThat(RestoreChain.check(List.of(target)).warnings()).isEmpty();

        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
            ch.truncate(MIB);
        }
        assertThatThrownBy(() -> RestoreChain.check(List.of(target)))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID);
                    assertThat(e.detail()).contains("backup '" + target + "'", "truncated");
                });
    }

    @Test
    void aCheckpointCannotTakeTheTemporaryBitmapsNameAndSuchABitmapIsNeverRemoved() throws Exception {
        assertThatThrownBy(() -> dom.createCheckpoint(checkpoint("backup-vda"), 0))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARG);
                    assertThat(e.detail()).contains("'backup-vda' is reserved", "backup-<disk>");
                });
        dom.createCheckpoint(checkpoint("c1"), 0);
        // A bitmap of that name that Backpoint did not make (another tool, an older version).
        TestVm.qmp(dom, "{\"execute\":\"block-dirty-bitmap-add\",\"arguments\":{\"node\":\"bp-vda-format\","
                + "\"name\":\"backup-vda\",\"persistent\":true}}");
        assertThatThrownBy(() -> dom.backupBegin(push("c1", "vda", "vda.inc"), null, 0))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID);
                    assertThat(e.detail()).contains("already has a bitmap named 'backup-vda'");
                });
        assertThat(bitmaps("bp-vda-format")).contains("backup-vda", "c1");
        assertThat(out.resolve("vda.inc")).doesNotExist();
    }

    @Test
    void aCheckpointWhoseDiskNowHasAnotherImageIsRefusedWithTheWayOut() throws Exception {
        dom.createCheckpoint(checkpoint("c1"), 0);
        dom.destroy();
        String a = vm.image("vda", "qcow2").toString();
        String b = vm.image("vdb", "qcow2").toString();
        String xml = dom.xmlDesc(false, true).replace(a, "@A@").replace(b, a).replace("@A@", b);
        vm.conn().defineDomain(xml);
        dom.start();
        assertThatThrownBy(() -> dom.backupBegin(push("c1", "vda", "vda.inc"), null, 0))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_INCONSISTENT);
                    assertThat(e.detail()).contains("disk 'vda' of checkpoint 'c1' was '" + a + "'", "now '" + b + "'",
                            "take a full backup");
                });
        assertThatThrownBy(() -> dom.checkpoint("c1").xmlDesc(EnumSet.of(CheckpointXmlFlag.SIZE)))
                .isInstanceOfSatisfying(BackpointException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_INCONSISTENT));
        String c1 = dom.checkpoint("c1").xmlDesc(0);
        assertThatThrownBy(() -> dom.createCheckpoint(c1,
                EnumSet.of(CheckpointCreateFlag.REDEFINE, CheckpointCreateFlag.REDEFINE_VALIDATE)))
                .isInstanceOfSatisfying(BackpointException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_INCONSISTENT));
        assertThat(out.resolve("vda.inc")).doesNotExist();
    }

    @Test
    void theWaiterLearnsItsOwnJobsOutcomeAfterAnotherCallerReadTheStatistics() throws Exception {
        String job = dom.backupBegin(push(null, "vda", "vda.full"), null, 0);
        assertThat(dom.jobOutcome(job).type()).isIn(JobType.NONE, JobType.COMPLETED);
        while (dom.jobInfo(false).type() != JobType.NONE) {
            Thread.sleep(50);
        }
        // Another process reads the completed statistics without keeping them: libvirt's discard.
        assertThat(dom.jobInfo(true).type()).isEqualTo(JobType.COMPLETED);
        assertThat(dom.jobInfo(true).type()).isEqualTo(JobType.NONE);
        JobInfo mine = dom.jobOutcome(job);
        assertThat(mine.type()).isEqualTo(JobType.COMPLETED);
        assertThat(mine.dataTotal()).isEqualTo(64 * MIB);
        assertThat(dom.jobOutcome("another-job").type()).isEqualTo(JobType.NONE);
    }

    private List<String> bitmaps(String node) {
        for (JsonNode n : TestVm.qmp(dom, "{\"execute\":\"query-named-block-nodes\",\"arguments\":{\"flat\":true}}")) {
            if (n.path("node-name").asText().equals(node)) {
                return n.path("dirty-bitmaps").findValuesAsText("name");
            }
        }
        return List.of();
    }
}
