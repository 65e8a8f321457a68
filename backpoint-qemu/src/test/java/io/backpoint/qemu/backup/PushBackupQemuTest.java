package io.backpoint.qemu.backup;

import static io.backpoint.qemu.testing.TestVm.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.image.restore.BackupRecord;
import io.backpoint.image.restore.ImageFormat;
import io.backpoint.qemu.testing.RunningVm;
import io.backpoint.qemu.testing.RunningVms;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Push backups on a real QEMU through the public API: QEMU writes the targets and the job ends by itself. */
@QemuTest
class PushBackupQemuTest {
    private static final long SIZE = 256 * MIB;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final RunningVms VMS = new RunningVms();

    @TempDir
    Path root;

    private Path out;
    private RunningVm vm;
    private Connection conn;
    private Domain dom;

    @BeforeEach
    void start() throws Exception {
        out = Files.createDirectories(root.resolve("out"));
        vm = VMS.start(root, SIZE, "qcow2", "qcow2", "raw");
        conn = vm.conn();
        dom = vm.dom();
    }

    private String pushXml(String incremental, String suffix, String vdbFormat) {
        return "<domainbackup>" + (incremental == null ? "" : "<incremental>" + incremental + "</incremental>")
                + "<disks><disk name='vda' type='file'><target file='" + out.resolve("vda." + suffix) + "'/></disk>"
                + "<disk name='vdb' type='file'>" + (vdbFormat == null ? "" : "<driver type='" + vdbFormat + "'/>")
                + "<target file='" + out.resolve("vdb." + suffix) + "'/></disk></disks></domainbackup>";
    }

    private static String checkpointXml(String name) {
        return "<domaincheckpoint><name>" + name + "</name><disks><disk name='vda'/><disk name='vdb'/>"
                + "<disk name='vdc' checkpoint='no'/></disks></domaincheckpoint>";
    }

    /** Restarts the domain with vda full of data, so a full backup of it runs long enough to act on. */
    private void slowVda() throws Exception {
        dom.destroy();
        // A gibibyte of data: copying it takes long enough that a throttle set right after
        // begin lands while the job still runs, even when begin's own fsync waits for QEMU's writes.
        Tools.run("qemu-img", "resize", "-q", image("vda", "qcow2").toString(), Long.toString(1024 * MIB));
        TestVm.fill(image("vda", "qcow2"), "qcow2", 0x66, 1024 * MIB);
        dom.start();
    }

    private Path image(String target, String format) {
        return vm.image(target, format);
    }

    @Test
    void fullThenIncrementalRebuildTheDisksAndTheIncrementalHoldsOnlyChangedClusters() throws Exception {
        TestVm.guestWrite(dom, 0, 0x11, 0, 8 * MIB);
        TestVm.guestWrite(dom, 1, 0x22, 16 * MIB, 4 * MIB);
        TestVm.guestWrite(dom, 2, 0x33, 0, MIB);

        dom.backupBegin(pushXml(null, "full", "raw"), checkpointXml("c1"), 0);
        JobInfo full = TestVm.awaitJobEnd(dom, 60_000);
        assertThat(full.type()).isEqualTo(JobType.COMPLETED);
        assertThat(full.operation()).isEqualTo(JobInfo.OPERATION_BACKUP);
        assertThat(full.dataTotal()).isEqualTo(2 * SIZE);
        assertThat(full.dataProcessed()).isEqualTo(full.dataTotal());
        assertThat(full.errorMessage()).isNull();
        // The excluded raw disk vdc has no target; vdb's target is raw, as asked.
        assertThat(Files.list(out).map(p -> p.getFileName().toString()).sorted().toList())
                .containsExactly("vda.full", "vda.full.json", "vdb.full", "vdb.full.json");
        BackupRecord vdbFull = BackupRecord.read(out.resolve("vdb.full")).orElseThrow();
        assertThat(vdbFull.mode()).isEqualTo(BackupRecord.Mode.FULL);
        assertThat(vdbFull.format()).isEqualTo(ImageFormat.RAW);
        assertThat(vdbFull.checkpoint()).isEqualTo("c1");
        assertThat(vdbFull.virtualSize()).isEqualTo(SIZE);
        assertThat(vdbFull.domain()).isEqualTo("vm1");
        assertThat(Tools.run("qemu-img", "info", "--output=json", out.resolve("vdb.full").toString()))
                .contains("\"format\": \"raw\"");
        assertThat(BackupProbe.leftovers(dom)).isEmpty();
        assertThat(dom.checkpoint("c1").name()).isEqualTo("c1");

        TestVm.guestWrite(dom, 0, 0x44, 4 * MIB, MIB);
        TestVm.guestWrite(dom, 0, 0x45, 40 * MIB, 64 * 1024);
        TestVm.guestWrite(dom, 1, 0x55, 60 * MIB, 2 * MIB);

        dom.backupBegin(pushXml("c1", "inc", null), checkpointXml("c2"), 0);
        JobInfo inc = TestVm.awaitJobEnd(dom, 60_000);
        assertThat(inc.type()).isEqualTo(JobType.COMPLETED);
        assertThat(inc.dataTotal()).isEqualTo(MIB + 64 * 1024 + 2 * MIB);
        assertThat(dom.checkpoint("c2").parent().name()).isEqualTo("c1");
        assertThat(BackupProbe.leftovers(dom)).isEmpty();
        BackupRecord vdaInc = BackupRecord.read(out.resolve("vda.inc")).orElseThrow();
        assertThat(vdaInc.mode()).isEqualTo(BackupRecord.Mode.INCREMENTAL);
        assertThat(vdaInc.incremental()).isEqualTo("c1");
        assertThat(vdaInc.checkpoint()).isEqualTo("c2");
        assertThat(vdaInc.backingFile()).isEqualTo(image("vda", "qcow2").toString());

        // Only the clusters written since c1 are allocated in the incremental targets.
        assertThat(allocated(out.resolve("vda.inc"))).containsExactly(List.of(4 * MIB, MIB), List.of(40 * MIB, 64 * 1024L));
        assertThat(allocated(out.resolve("vdb.inc"))).containsExactly(List.of(60 * MIB, 2 * MIB));

        // Full + incremental rebuild each disk as it is now (no writes since the incremental began).
        dom.destroy();
        for (String disk : List.of("vda", "vdb")) {
            Path fullCopy = Files.copy(out.resolve(disk + ".full"), root.resolve(disk + ".base"));
            Path incCopy = Files.copy(out.resolve(disk + ".inc"), root.resolve(disk + ".top"));
            Tools.run("qemu-img", "rebase", "-u", "-b", fullCopy.toString(),
                    "-F", disk.equals("vdb") ? "raw" : "qcow2", incCopy.toString());
            assertThat(Tools.status("qemu-img", "compare", incCopy.toString(), image(disk, "qcow2").toString()))
                    .as("rebuilt %s equals the disk", disk).isZero();
        }
    }

    @Test
    void abortDuringAPushDeletesTheTargetsItCreated() throws Exception {
        slowVda();
        dom.backupBegin(pushXml(null, "full", null), null, 0);
        BackupProbe.throttle(dom, "vda", MIB);
        JobInfo running = dom.jobInfo(false);
        assertThat(running.type()).isEqualTo(JobType.UNBOUNDED);
        assertThat(running.dataTotal()).isPositive();
        assertThat(Files.exists(out.resolve("vda.full"))).isTrue();

        dom.abortJob();
        assertThat(dom.jobInfo(false).type()).isEqualTo(JobType.NONE);
        JobInfo ended = dom.jobInfo(true);
        assertThat(ended.type()).isEqualTo(JobType.CANCELLED);
        assertThat(Files.list(out).toList()).isEmpty();
        assertThat(BackupProbe.leftovers(dom)).isEmpty();
        // Read without KEEP_COMPLETED, the completed statistics are gone.
        assertThat(dom.jobInfo(true).type()).isEqualTo(JobType.NONE);
    }

    @Test
    void aPushSurvivesTheProcessThatBeganIt() throws Exception {
        slowVda();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                BeginAndVanish.class.getName(), conn.uri(), "vm1", pushXml(null, "full", null))
                .redirectErrorStream(true).start();
        String childOut = new String(child.getInputStream().readAllBytes());
        assertThat(child.waitFor()).as(childOut).isEqualTo(BeginAndVanish.EXIT_STATUS);

        // This process never saw the begin; it finds the job, reports it and sees it complete.
        JobInfo running = dom.jobInfo(false);
        assertThat(running.type()).isEqualTo(JobType.UNBOUNDED);
        assertThat(dom.backupXmlDesc()).contains("vda.full").contains("mode='push'");
        BackupProbe.throttle(dom, "vda", 0);
        JobInfo done = TestVm.awaitJobEnd(dom, 60_000);
        assertThat(done.type()).isEqualTo(JobType.COMPLETED);
        assertThat(done.timeElapsedMillis()).isPositive();
        assertThat(Files.exists(out.resolve("vda.full"))).isTrue();
        assertThat(BackupRecord.read(out.resolve("vda.full"))).isPresent();
        assertThat(BackupProbe.leftovers(dom)).isEmpty();
        dom.destroy();
        assertThat(Tools.status("qemu-img", "compare", out.resolve("vda.full").toString(),
                image("vda", "qcow2").toString())).isZero();
    }

    @Test
    void qemuGoneDuringAPushFailsTheJobAndDeletesTheTargets() throws Exception {
        slowVda();
        dom.backupBegin(pushXml(null, "full", null), null, 0);
        BackupProbe.throttle(dom, "vda", MIB);
        long pid = Long.parseLong(Files.readString(root.resolve("state/run/vm1/vm1.pid")).trim());
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());

        assertThat(dom.jobInfo(false).type()).isEqualTo(JobType.NONE);
        JobInfo failed = dom.jobInfo(true);
        assertThat(failed.type()).isEqualTo(JobType.FAILED);
        assertThat(failed.errorMessage()).contains("QEMU exited");
        assertThat(Files.list(out).toList()).isEmpty();
        assertThat(Files.exists(root.resolve("state/backup/vm1/job.xml"))).isFalse();
    }

    @Test
    void aBeginThatDiedBeforeItsJobStartedIsUndoneByTheNextCall() throws Exception {
        slowVda();
        dom.backupBegin(pushXml(null, "full", null), checkpointXml("c1"), 0);
        BackupProbe.throttle(dom, "vda", MIB);
        // Make the record say what a process killed between its transaction and its next record
        // write leaves: still preparing, and the checkpoint never committed.
        Path record = root.resolve("state/backup/vm1/job.xml");
        Files.writeString(record, Files.readString(record).replace("phase='running'", "phase='preparing'"));
        Files.delete(root.resolve("state/checkpoint/vm1/c1.xml"));

        assertThat(dom.jobInfo(false).type()).isEqualTo(JobType.NONE);
        JobInfo failed = dom.jobInfo(true);
        assertThat(failed.type()).isEqualTo(JobType.FAILED);
        assertThat(failed.errorMessage()).contains("interrupted");
        assertThat(Files.list(out).toList()).isEmpty();
        assertThat(BackupProbe.leftovers(dom)).isEmpty();
        // The uncommitted checkpoint's bitmaps went with it, so its name can be used again.
        assertThat(TestVm.qmp(dom, "{\"execute\":\"query-named-block-nodes\",\"arguments\":{\"flat\":true}}")
                .toString()).doesNotContain("\"c1\"");
        try (Connection fresh = Connection.open(conn.uri())) {
            fresh.domainByName("vm1").createCheckpoint(checkpointXml("c1"), 0);
        }
    }

    @Test
    void aCrashRightAfterQemuForgetsACompletedJobKeepsItCompleted() throws Exception {
        TestVm.guestWrite(dom, 0, 0x11, 0, MIB);
        dom.backupBegin(pushXml(null, "full", null), null, 0);
        awaitQemuJobsConcluded();
        // The reconcile that finds the jobs concluded dies right after QEMU dismissed the first one.
        // The point QmpConnection reports once QEMU answered the first job-dismiss.
        SimulatedCrash.at("qmp:job-dismiss:done");
        try {
            assertThatThrownBy(() -> dom.jobInfo(false)).isInstanceOf(SimulatedCrash.class);
        } finally {
            CrashPoints.install(null);
        }

        JobInfo done = TestVm.awaitJobEnd(dom, 60_000);
        assertThat(done.type()).isEqualTo(JobType.COMPLETED);
        assertThat(done.errorMessage()).isNull();
        assertThat(Files.list(out).map(p -> p.getFileName().toString()).sorted().toList())
                .containsExactly("vda.full", "vda.full.json", "vdb.full", "vdb.full.json");
        assertThat(BackupProbe.leftovers(dom)).isEmpty();
    }

    @Test
    void targetsAreReadableByTheOwnerOnly() throws Exception {
        TestVm.guestWrite(dom, 0, 0x11, 0, MIB);
        dom.backupBegin(pushXml(null, "full", "raw"), null, 0);
        assertThat(TestVm.awaitJobEnd(dom, 60_000).type()).isEqualTo(JobType.COMPLETED);
        // A backup holds everything the guest wrote: as private as the disk, whatever the umask.
        for (String target : List.of("vda.full", "vdb.full")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(target))))
                    .as(target).isEqualTo("rw-------");
        }
    }

    @Test
    void undefineWaitsForTheBackupJobRecordAndTakesTheBackupFilesAlong() throws Exception {
        slowVda();
        dom.backupBegin(pushXml(null, "full", null), null, 0);
        BackupProbe.throttle(dom, "vda", MIB);
        dom.destroy();
        Path backupDir = root.resolve("state/backup/vm1");
        assertThat(Files.exists(backupDir.resolve("job.xml"))).isTrue();
        // Undefining now would orphan the record (and the targets it still has to delete).
        assertThatThrownBy(() -> dom.undefine(false)).isInstanceOfSatisfying(BackpointException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID);
            assertThat(e.getMessage()).contains("backup job");
        });
        assertThat(conn.listAllDomains()).hasSize(1);

        assertThat(dom.jobInfo(true, true).type()).isEqualTo(JobType.FAILED);
        assertThat(Files.exists(backupDir.resolve("completed.json"))).isTrue();
        dom.undefine(false);
        assertThat(conn.listAllDomains()).isEmpty();
        assertThat(Files.exists(backupDir)).isFalse();
    }

    /** Waits, without reconciling, until QEMU has concluded every job. */
    private void awaitQemuJobsConcluded() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            JsonNode jobs = TestVm.qmp(dom, "{\"execute\":\"query-jobs\"}");
            boolean all = jobs.size() > 0;
            for (JsonNode j : jobs) {
                all &= j.path("status").asText().equals("concluded");
            }
            if (all) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("QEMU jobs did not conclude: " + jobs);
            }
            Thread.sleep(20);
        }
    }

    /** Allocated ranges [offset, length] of the image's own layer (not its backing file). */
    private static List<List<Long>> allocated(Path image) throws Exception {
        JsonNode map = JSON.readTree(Tools.run("qemu-img", "map", "-U", "--output=json", image.toString()));
        List<List<Long>> out = new ArrayList<>();
        for (JsonNode e : map) {
            if (e.path("depth").asInt() == 0 && e.path("data").asBoolean()) {
                long start = e.path("start").asLong();
                long length = e.path("length").asLong();
                List<Long> last = out.isEmpty() ? null : out.get(out.size() - 1);
                if (last != null && last.get(0) + last.get(1) == start) {
                    out.set(out.size() - 1, List.of(last.get(0), last.get(1) + length));
                } else {
                    out.add(List.of(start, length));
                }
            }
        }
        return out;
    }
}
