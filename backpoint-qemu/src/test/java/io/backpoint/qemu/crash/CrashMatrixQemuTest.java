package io.backpoint.qemu.crash;

import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import static io.backpoint.qemu.testing.TestVm.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.backpoint.api.Checkpoint;
import io.backpoint.api.Domain;
import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import io.backpoint.image.restore.ImageFormat;
import io.backpoint.image.restore.RestoreChain;
import io.backpoint.image.restore.Restorer;
import io.backpoint.qemu.testing.RunningVm;
import io.backpoint.qemu.testing.RunningVms;
import io.backpoint.qemu.testing.TestVm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Systematic crash tests on a real QEMU. For each operation, a child JVM ({@link CrashRun}) runs
 * it once to list its crash points (every QMP command and file step, before and after), then once
 * per point, killed with SIGKILL there. After each kill the next call settles what was left; then
 * {@link CrashState} must hold, the operation (re-run if the kill stopped it before it took
 * effect) must succeed, and its result must be right: a backup restores to the disk's content
 * byte for byte. The points come from the operation itself, so a new step is covered without
 * touching this test. One VM per operation.
 */
@QemuTest
class CrashMatrixQemuTest {
    private static final long DISK = 8 * MIB;

    @RegisterExtension
    static final RunningVms VMS = new RunningVms();

    @TempDir
    Path root;

    private RunningVm vm;
    private Domain dom;
    private Path out;
    private Path state;

    @BeforeEach
    void start() throws Exception {
        vm = VMS.start(root, DISK, "qcow2", "qcow2");
        dom = vm.dom();
        out = Files.createDirectories(root.resolve("out"));
        state = root.resolve("state");
    }

    @TestFactory
    Stream<DynamicTest> checkpointCreate() throws Exception {
        return matrix("checkpoint-create", () -> { }, () -> exists(CrashOps.NEW), () -> { }, () -> delete(CrashOps.NEW));
    }

    @TestFactory
    Stream<DynamicTest> checkpointDelete() throws Exception {
        return matrix("checkpoint-delete", () -> {
            if (!exists(CrashOps.NEW)) {
                dom.createCheckpoint(CrashOps.checkpointXml(CrashOps.NEW), 0);
            }
        },
                () -> !exists(CrashOps.NEW), () -> { }, () -> { });
    }

    @TestFactory
    Stream<DynamicTest> pushFull() throws Exception {
        return matrix("push-full", () -> write(0x31), this::pushDone, () -> checkPush(null), this::resetBackup);
    }

    @TestFactory
    Stream<DynamicTest> pushIncremental() throws Exception {
        base();
        return matrix("push-inc", () -> write(0x32), this::pushDone, () -> checkPush("base"), this::resetBackup);
    }

    @TestFactory
    Stream<DynamicTest> pullFull() throws Exception {
        return matrix("pull-full", () -> { }, this::pullRunning, this::checkPull, this::resetBackup);
    }

    @TestFactory
    Stream<DynamicTest> pullIncremental() throws Exception {
        base();
        return matrix("pull-inc", () -> write(0x33), this::pullRunning, this::checkPull, this::resetBackup);
    }

    /** The call that finds a push job QEMU has completed and finishes it (records, statistics). */
    @TestFactory
    Stream<DynamicTest> jobFinish() throws Exception {
        return matrix("finish", () -> {
            write(0x34);
            dom.backupBegin(CrashOps.pushXml(null, out), CrashOps.checkpointXml(CrashOps.NEW), 0);
            awaitConcludedInQemu();
        }, () -> true, () -> checkPush(null), this::resetBackup);
    }

    @TestFactory
    Stream<DynamicTest> abort() throws Exception {
        // A pull job: it runs until aborted, so the kill always meets a running job. (A push job
        // of these small disks ends before a throttle can hold it.)
        return matrix("abort", () -> dom.backupBegin(CrashOps.pullXml(null, out), CrashOps.checkpointXml(CrashOps.NEW), 0),
                () -> dom.jobInfo(false).type() == JobType.NONE, () -> {
                    assertThat(dom.jobInfo(true, true).type()).isEqualTo(JobType.COMPLETED);
                    assertThat(exists(CrashOps.NEW)).as("an aborted pull keeps its checkpoint").isTrue();
                }, () -> delete(CrashOps.NEW));
    }

    @TestFactory
    Stream<DynamicTest> restore() throws Exception {
        base();
        write(0x35);
        dom.backupBegin(CrashOps.pushXml(CrashOps.BASE, out, "inc"), null, 0);
        assertThat(TestVm.awaitJobEnd(dom, 120_000).type()).isEqualTo(JobType.COMPLETED);
        Path expected = out.resolve("expected.raw");
        new Restorer().restore(RestoreChain.check(List.of(out.resolve("vda.base"), out.resolve("vda.inc"))), expected,
                ImageFormat.RAW, null);
        Path restored = out.resolve("restored.raw");
        return matrix("restore", () -> { }, () -> Files.exists(restored), () -> {
            assertThat(Files.mismatch(restored, expected)).isEqualTo(-1L);
            assertThat(Tools.status("pgrep", "-f", "convert.*" + out)).as("qemu-img outlived restore").isEqualTo(1);
        }, () -> Files.deleteIfExists(restored));
    }

    // ---- the matrix ----

    private interface Step {
        void run() throws Exception;
    }

    private interface Condition {
        boolean test() throws Exception;
    }

    /**
     * @param setup makes the operation's preconditions (before each run)
     * @param done whether the operation took effect (after a kill and the next call)
     * @param verify checks the result once it took effect
     * @param reset takes the result back, for the next kill
     */
    private Stream<DynamicTest> matrix(String op, Step setup, Condition done, Step verify, Step reset) throws Exception {
        setup.run();
        List<String> points = runChild(op, -1);
        assertThat(points).as("crash points of %s", op).isNotEmpty();
        settle();
        CrashState.check(dom, state, out, op + " without a kill");
        assertThat(done.test()).as("%s without a kill took effect", op).isTrue();
        verify.run();
        reset.run();
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            int kill = i;
            String name = op + " killed at " + points.get(i);
            tests.add(DynamicTest.dynamicTest(name, () -> {
                boolean passed = false;
                try {
                    setup.run();
                    runChild(op, kill);
                    settle();
                    // A restore's leftovers are the next restore's to remove: checked after it.
                    if (!op.equals("restore")) {
                        CrashState.check(dom, state, out, name);
                    }
                    if (!done.test()) {
                        CrashOps.run(op, dom, out);
                        settle();
                        CrashState.check(dom, state, out, name + ", then run again");
                        assertThat(done.test()).as("%s: run again, it took effect", name).isTrue();
                    }
                    verify.run();
                    passed = true;
                } finally {
                    if (!passed) {
                        // One failure must not fail the next points: start them from a clean state.
                        try {
                            settle();
                            reset.run();
                        } catch (Exception | AssertionError e) {
                            // The failure already reported says what went wrong.
                        }
                    }
                }
                reset.run();
            }));
        }
        System.out.printf("CrashMatrixQemuTest: %s has %d crash points%n", op, points.size());
        return tests.stream();
    }

    /** Runs the operation in a child JVM killed at point {@code kill} (-1: not killed); returns the points it reached. */
    private List<String> runChild(String op, int kill) throws IOException, InterruptedException {
        Path points = Files.createTempFile(root, "points", ".txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), CrashRun.class.getName(), TestVm.uri(state), op,
                Integer.toString(kill), points.toString(), out.toString())
                .redirectErrorStream(true).redirectOutput(root.resolve("child.log").toFile()).start();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("child of %s finished", op).isTrue();
        String log = Files.readString(root.resolve("child.log"));
        if (kill < 0) {
            assertThat(p.exitValue()).as("%s ran to the end: %s", op, log).isEqualTo(CrashRun.DONE);
        } else {
            assertThat(p.exitValue()).as("%s killed at point %d: %s", op, kill, log).isEqualTo(128 + 9);
        }
        List<String> reached = new ArrayList<>();
        for (String line : Files.readAllLines(points, StandardCharsets.UTF_8)) {
            reached.add(line.substring(line.indexOf(' ') + 1));
        }
        Files.delete(points);
        return reached;
    }

    /**
     * The next calls: they settle what the kill left. A job the killed call left running is
     * then ended the ordinary way (a push runs to its end, a pull is aborted).
     */
    private void settle() throws Exception {
        dom.listCheckpoints(0);
        if (dom.jobInfo(false).type() == JobType.NONE) {
            return;
        }
        String job;
        try {
            job = dom.backupXmlDesc();
        } catch (io.backpoint.error.BackpointException e) {
            return; // ended in between (a cancel the killed call had sent)
        }
        if (job.contains("mode='pull'")) {
            dom.abortJob();
        } else {
            throttle(0);
            TestVm.awaitJobEnd(dom, 120_000);
        }
    }

    // ---- operations' conditions and checks ----

    private boolean exists(String name) {
        for (Checkpoint c : dom.listCheckpoints(0)) {
            if (c.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private void delete(String name) {
        if (exists(name)) {
            dom.checkpoint(name).delete(0);
        }
    }

    private boolean pushDone() {
        return Files.exists(CrashOps.target(out, "vda"));
    }

    /** The push targets restore to the disks' current content (the guest is idle), with their base if incremental. */
    private void checkPush(String baseSuffix) throws Exception {
        assertThat(exists(CrashOps.NEW)).as("the backup's checkpoint").isTrue();
        for (String disk : CrashOps.DISKS) {
            List<Path> chain = new ArrayList<>();
            if (baseSuffix != null) {
                chain.add(out.resolve(disk + "." + baseSuffix));
            }
            chain.add(CrashOps.target(out, disk));
            Path check = root.resolve("check-" + disk + ".raw");
            new Restorer().restore(RestoreChain.check(chain), check, ImageFormat.RAW, null);
            // Against what the guest wrote: QEMU may not have flushed the live image's metadata.
            assertThat(java.util.Arrays.equals(Files.readAllBytes(check), guest[CrashOps.DISKS.indexOf(disk)]))
                    .as("backup of %s restores to what the guest wrote", disk).isTrue();
            Files.delete(check);
        }
    }

    /** A pull's effect: its checkpoint exists (an aborted pull keeps it). */
    private boolean pullRunning() {
        return exists(CrashOps.NEW);
    }

    private void checkPull() {
        assertThat(exists(CrashOps.NEW)).isTrue();
    }

    private void resetBackup() throws IOException {
        delete(CrashOps.NEW);
        for (String disk : CrashOps.DISKS) {
            Path target = CrashOps.target(out, disk);
            Files.deleteIfExists(target);
            Files.deleteIfExists(Path.of(target + ".json"));
        }
        dom.jobInfo(true);
    }

    /** A full backup {@code <disk>.base} that creates checkpoint {@value CrashOps#BASE}, then a write. */
    private void base() throws Exception {
        write(0x11);
        dom.backupBegin(CrashOps.pushXml(null, out, "base"), CrashOps.checkpointXml(CrashOps.BASE), 0);
        assertThat(TestVm.awaitJobEnd(dom, 120_000).type()).isEqualTo(JobType.COMPLETED);
        write(0x22);
    }

    private int writes;
    /** Each disk's content as the guest wrote it (the images start empty). */
    private final byte[][] guest = {new byte[(int) DISK], new byte[(int) DISK]};

    /** A guest write to each disk, at a new place each time. */
    private void write(int pattern) {
        int offset = (int) ((writes++ % 7) * MIB);
        int length = 256 * 1024;
        for (int i = 0; i < CrashOps.DISKS.size(); i++) {
            TestVm.guestWrite(dom, i, pattern, offset, length);
            java.util.Arrays.fill(guest[i], offset, offset + length, (byte) pattern);
        }
    }

    private void throttle(long bytesPerSecond) {
        for (String d : CrashOps.DISKS) {
            TestVm.qmp(dom, "{\"execute\":\"block-job-set-speed\",\"arguments\":{\"device\":\"backup-" + d + "-bp-" + d
                    + "-format\",\"speed\":" + bytesPerSecond + "}}");
        }
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
            assertThat(System.currentTimeMillis()).as("jobs concluded in QEMU").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
