package io.backpoint.qemu.backup;

import static io.backpoint.qemu.testing.TestVm.MIB;
import static io.backpoint.testing.Errors.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.api.Domain;
import io.backpoint.error.ErrorCode;
import io.backpoint.image.restore.BackupRecord;
import io.backpoint.image.restore.ImageFormat;
import io.backpoint.qemu.testing.RunningVms;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import io.backpoint.vocab.JobType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Bad backup requests on a real QEMU: libvirt's errors, and nothing left behind in QEMU or on disk. */
@QemuTest
class BackupErrorsQemuTest {
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

    private String push(String disk, String file) {
        return "<domainbackup><disks><disk name='" + disk + "' type='file'><target file='" + out.resolve(file)
                + "'/></disk></disks></domainbackup>";
    }

    private void assertNothingLeft() throws Exception {
        assertThat(BackupProbe.leftovers(dom)).isEmpty();
        assertThat(Files.exists(root.resolve("state/backup/vm1/job.xml"))).isFalse();
        assertThat(dom.jobInfo(false).type()).isEqualTo(JobType.NONE);
    }

    @Test
    void unknownDisk() throws Exception {
        assertError(() -> dom.backupBegin(push("vdz", "t"), null, 0), ErrorCode.CONFIG_UNSUPPORTED, "no disk named 'vdz'");
        assertThat(Files.list(out).toList()).isEmpty();
        assertNothingLeft();
    }

    @Test
    void aTargetThatCannotBeCreatedSaysWhyNotThePathTwice() throws Exception {
        Path target = out.resolve("no-such-dir/t");
        assertError(() -> dom.backupBegin(push("vda", "no-such-dir/t"), null, 0), ErrorCode.SYSTEM_ERROR,
                "failed to create image file '" + target + "': No such file or directory");
        assertNothingLeft();
    }

    @Test
    void missingCheckpoint() throws Exception {
        assertError(() -> dom.backupBegin("<domainbackup><incremental>nope</incremental></domainbackup>", null, 0),
                ErrorCode.NO_DOMAIN_CHECKPOINT, "Checkpoint 'nope' for incremental backup of disk 'vda' not found");
        assertNothingLeft();
    }

    @Test
    void existingTargetIsRefusedAndKeptAndTheCheckpointIsNotCreated() throws Exception {
        Path existing = Files.writeString(out.resolve("vdb.t"), "precious");
        String xml = "<domainbackup><disks><disk name='vda' type='file'><target file='" + out.resolve("vda.t")
                + "'/></disk><disk name='vdb' type='file'><target file='" + existing + "'/></disk></disks></domainbackup>";
        assertError(() -> dom.backupBegin(xml, "<domaincheckpoint><name>c9</name></domaincheckpoint>", 0),
                ErrorCode.INVALID_ARG, "store '" + existing + "' for backup of 'vdb' exists: choose another file, or use --reuse-external");
        assertThat(Files.readString(existing)).isEqualTo("precious");
        assertThat(Files.exists(out.resolve("vda.t"))).isFalse();
        assertThat(dom.listCheckpoints(0)).isEmpty();
        assertThat(TestVm.qmp(dom, "{\"execute\":\"query-named-block-nodes\",\"arguments\":{\"flat\":true}}")
                .toString()).doesNotContain("\"c9\"");
        assertNothingLeft();
    }

    @Test
    void aTargetWhoseRecordNameIsTakenIsRefused() throws Exception {
        Path taken = Files.writeString(out.resolve("t.json"), "precious");
        assertError(() -> dom.backupBegin(push("vda", "t"), null, 0), ErrorCode.INVALID_ARG,
                "backup record '" + taken + "' for store '" + out.resolve("t") + "' of disk 'vda' exists");
        assertThat(Files.readString(taken)).isEqualTo("precious");
        assertThat(Files.exists(out.resolve("t"))).isFalse();
        assertNothingLeft();
    }

    @Test
    void aReusedTargetMayReplaceItsOwnRecordButNoOtherFile() throws Exception {
        Path target = out.resolve("t");
        Tools.run("qemu-img", "create", "-q", "-f", "qcow2", target.toString(), Long.toString(64 * MIB));
        Path record = Files.writeString(out.resolve("t.json"), "{\"not\": \"a record\"}");
        // Flag 1 is VIR_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL.
        assertError(() -> dom.backupBegin(push("vda", "t"), null, 1), ErrorCode.INVALID_ARG,
                "file '" + record + "' beside store '" + target + "' of disk 'vda' is not a backup record");
        assertThat(Files.readString(record)).contains("not");
        assertNothingLeft();

        BackupRecord.write(target, BackupRecord.full("vm1", "vda", "old", 64 * MIB, ImageFormat.QCOW2, 1));
        dom.backupBegin(push("vda", "t"), null, 1);
        assertThat(TestVm.awaitJobEnd(dom, 60_000).type()).isEqualTo(JobType.COMPLETED);
        assertThat(BackupRecord.read(target).orElseThrow().checkpoint()).isNull();
    }

    @Test
    void nbdOverTcpListensOnLoopbackOnly() throws Exception {
        for (String name : List.of("0.0.0.0", "::", "192.0.2.7")) {
            assertError(() -> dom.backupBegin("<domainbackup mode='pull'><server transport='tcp' name='" + name
                    + "'/></domainbackup>", null, 0), ErrorCode.CONFIG_UNSUPPORTED,
                    "NBD without TLS is only offered on a unix socket or a loopback address");
            assertNothingLeft();
        }
        dom.backupBegin("<domainbackup mode='pull'><server transport='tcp' name='localhost'/><disks>"
                + "<disk name='vda'/></disks></domainbackup>", null, 0);
        assertThat(dom.backupXmlDesc()).contains("name='localhost'");
        dom.abortJob();
        assertNothingLeft();
    }

    @Test
    void secondJobIsRefusedAndTheFirstCarriesOn() throws Exception {
        Path socket = root.resolve("nbd.sock");
        dom.backupBegin("<domainbackup mode='pull'><server transport='unix' socket='" + socket + "'/></domainbackup>",
                null, 0);
        String before = dom.backupXmlDesc();
        assertError(() -> dom.backupBegin(push("vda", "t"), null, 0), ErrorCode.OPERATION_INVALID,
                "another backup job is already running");
        assertThat(Files.exists(out.resolve("t"))).isFalse();
        assertThat(dom.backupXmlDesc()).isEqualTo(before);
        assertThat(Tools.run("nbdinfo", "--list", "nbd+unix://?socket=" + socket)).contains("vda").contains("vdb");
        dom.abortJob();
        assertNothingLeft();
        assertError(dom::abortJob, ErrorCode.OPERATION_INVALID, "no job is active on the domain");
        assertError(dom::backupXmlDesc, ErrorCode.NO_DOMAIN_BACKUP, "no domain backup job present");
    }

    @Test
    void inconsistentCheckpointIsRefusedBeforeAnythingIsCreated() throws Exception {
        dom.createCheckpoint("<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
        dom.destroy();
        dom.start();
        long pid = Long.parseLong(Files.readString(root.resolve("state/run/vm1/vm1.pid")).trim());
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        dom.start();
        assertError(() -> dom.backupBegin("<domainbackup><incremental>c1</incremental><disks><disk name='vda' "
                + "type='file'><target file='" + out.resolve("inc") + "'/></disk></disks></domainbackup>", null, 0),
                ErrorCode.CHECKPOINT_INCONSISTENT, "'c1'");
        assertThat(Files.list(out).toList()).isEmpty();
        assertNothingLeft();
    }

    @Test
    void rawIncrementalTargetIsRefused() throws Exception {
        dom.createCheckpoint("<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
        assertError(() -> dom.backupBegin("<domainbackup><incremental>c1</incremental><disks><disk name='vda' "
                + "type='file'><driver type='raw'/><target file='" + out.resolve("inc.raw") + "'/></disk></disks>"
                + "</domainbackup>", null, 0), ErrorCode.CONFIG_UNSUPPORTED, "needs a qcow2 target");
        assertThat(Files.list(out).toList()).isEmpty();
        assertNothingLeft();
    }
}
