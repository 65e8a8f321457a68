package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.qemu.testing.RunningVms;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.qemu.testing.TestVm.Disk;
import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import io.backpoint.vocab.JobType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** backup-begin, backup-dumpxml, domjobinfo and domjobabort through the backpoint command line, on a real QEMU. */
@QemuTest
class BackupCommandsQemuTest {
    private static final long MIB = 1L << 20;
    @RegisterExtension
    static final RunningVms VMS = new RunningVms("qemu-io");

    @TempDir
    Path root;

    private String uri;
    private Path images;

    @BeforeEach
    void start() throws Exception {
        uri = VMS.embed(root);
        images = Files.createDirectories(root.resolve("images"));
        List<Disk> disks = new ArrayList<>();
        for (String d : List.of("vda", "vdb")) {
            disks.add(Disk.create(d, images.resolve(d + ".qcow2"), "qcow2", 256 * MIB));
        }
        Files.writeString(root.resolve("dom.xml"), TestVm.domainXml("vm1", disks));
        assertThat(cli("define", "dom.xml").status()).isZero();
    }

    @Test
    void pushWithWaitThenPullDumpxmlJobinfoAndAbort() throws Exception {
        Tools.run("qemu-io", "-f", "qcow2", "-c", "write -P 0x42 0 8M", images.resolve("vda.qcow2").toString());
        assertThat(cli("start", "vm1").status()).isZero();
        Files.writeString(root.resolve("push.xml"), "<domainbackup><disks><disk name='vda' type='file'><target file='"
                + root.resolve("vda.full") + "'/></disk><disk name='vdb' type='file'><target file='"
                + root.resolve("vdb.full") + "'/></disk></disks></domainbackup>");
        Files.writeString(root.resolve("c1.xml"), "<domaincheckpoint><name>c1</name></domaincheckpoint>");

        // Positional files, as virsh takes them.
        CliRun push = cli("backup-begin", "vm1", "push.xml", "c1.xml", "--wait");
        assertThat(push.status()).as(push.stderr()).isZero();
        assertThat(push.stdout()).startsWith("Backup started" + System.lineSeparator())
                .contains("backup: 100% (512/512 MiB)" + System.lineSeparator())
                .contains("Backup completed" + System.lineSeparator());
        assertThat(Files.exists(root.resolve("vda.full"))).isTrue();
        assertThat(Tools.run("qemu-img", "compare", "-U", root.resolve("vda.full").toString(),
                images.resolve("vda.qcow2").toString())).contains("identical");

        CliRun done = cli("domjobinfo", "vm1", "--completed", "--keep-completed");
        assertThat(done.stdout()).contains("Job type:         Completed   " + System.lineSeparator())
                .contains("Operation:        Backup      " + System.lineSeparator())
                .contains("File processed:   512.000 MiB").contains("File remaining:   0.000 B")
                .contains("File total:       512.000 MiB");
        assertThat(cli("domjobinfo", "vm1", "--completed").stdout()).contains("Completed");
        assertThat(cli("domjobinfo", "vm1", "--completed").stdout()).contains("Job type:         None        ");
        assertThat(cli("checkpoint-list", "vm1", "--name").stdout()).contains("c1");

        Path socket = root.resolve("nbd.sock");
        Files.writeString(root.resolve("pull.xml"), "<domainbackup mode='pull'><incremental>c1</incremental>"
                + "<server transport='unix' socket='" + socket + "'/><disks><disk name='vda'/></disks></domainbackup>");
        CliRun pull = cli("backup-begin", "vm1", "--backupxml", "pull.xml");
        assertThat(pull.status()).as(pull.stderr()).isZero();
        assertThat(pull.stdout()).isEqualTo("Backup started" + System.lineSeparator() + System.lineSeparator());
        String xml = cli("backup-dumpxml", "vm1").stdout();
        assertThat(xml).startsWith("<domainbackup mode='pull'>").contains("<incremental>c1</incremental>")
                .contains("exportname='vda' exportbitmap='backup-vda'").contains(socket.toString());
        assertThat(cli("domjobinfo", "vm1").stdout()).startsWith("Job type:         Unbounded   ")
                .contains("Operation:        Backup");
        CliRun second = cli("backup-begin", "vm1");
        assertThat(second.status()).isEqualTo(1);
        assertThat(second.stderr()).isEqualTo("error: Requested operation is not valid: another backup job is already running"
                + System.lineSeparator());

        assertThat(cli("domjobabort", "vm1").status()).isZero();
        assertThat(cli("domjobinfo", "vm1").stdout()).isEqualTo("Job type:         None        "
                + System.lineSeparator() + System.lineSeparator());
        CliRun dump = cli("backup-dumpxml", "vm1");
        assertThat(dump.status()).isEqualTo(1);
        assertThat(dump.stderr()).contains("no domain backup job present");
        CliRun abort = cli("domjobabort", "vm1");
        assertThat(abort.status()).isEqualTo(1);
        assertThat(abort.stderr()).contains("no job is active on the domain");
    }

    @Test
    void waitFailsWhenTheJobIsAbortedAndBadXmlIsATypedError() throws Exception {
        // A gibibyte to copy, so the throttle below lands while the job runs.
        Tools.run("qemu-img", "resize", "-q", images.resolve("vda.qcow2").toString(), "1G");
        Tools.run("qemu-io", "-f", "qcow2", "-c", "write -P 0x42 0 1G", images.resolve("vda.qcow2").toString());
        assertThat(cli("start", "vm1").status()).isZero();
        Files.writeString(root.resolve("push.xml"), "<domainbackup><disks><disk name='vda' type='file'><target file='"
                + root.resolve("vda.full") + "'/></disk></disks></domainbackup>");
        CompletableFuture<CliRun> waiting = CompletableFuture.supplyAsync(() -> cli("backup-begin", "vm1", "push.xml", "--wait"));
        try (Connection conn = Connection.open(uri)) {
            Domain dom = conn.domainByName("vm1");
            long deadline = System.currentTimeMillis() + 30_000;
            while (dom.jobInfo(false).type() != JobType.UNBOUNDED && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            dom.monitorCommand("{\"execute\":\"block-job-set-speed\",\"arguments\":{\"device\":"
                    + "\"backup-vda-bp-vda-format\",\"speed\":1048576}}", false);
            assertThat(cli("domjobabort", "vm1").status()).isZero();
        }
        CliRun waited = waiting.get(60, TimeUnit.SECONDS);
        assertThat(waited.status()).isEqualTo(1);
        assertThat(waited.stdout()).startsWith("Backup started");
        assertThat(waited.stderr()).isEqualTo("error: backup job was cancelled" + System.lineSeparator());
        assertThat(Files.exists(root.resolve("vda.full"))).isFalse();

        Files.writeString(root.resolve("bad.xml"), "<domainbackup><disks><disk name='vdz'/></disks></domainbackup>");
        CliRun bad = cli("backup-begin", "vm1", "bad.xml");
        assertThat(bad.status()).isEqualTo(1);
        assertThat(bad.stderr()).isEqualTo("error: unsupported configuration: no disk named 'vdz'" + System.lineSeparator());
        CliRun missing = cli("backup-begin", "vm1", "nope.xml");
        assertThat(missing.stderr()).startsWith("error: Failed to open file 'nope.xml'");
    }

    @Test
    void waitLearnsItsOwnOutcomeWhenAnotherCallerTakesTheCompletedStatistics() throws Exception {
        assertThat(cli("start", "vm1").status()).isZero();
        Files.writeString(root.resolve("push.xml"), "<domainbackup><disks><disk name='vda' type='file'><target file='"
                + root.resolve("vda.full") + "'/></disk></disks></domainbackup>");
        // Another caller polls domjobinfo --completed, which discards what it reads, as in libvirt.
        CompletableFuture<Boolean> taker = CompletableFuture.supplyAsync(() -> {
            long deadline = System.currentTimeMillis() + 120_000;
            while (System.currentTimeMillis() < deadline) {
                if (cli("domjobinfo", "vm1", "--completed").stdout().contains("Completed")) {
                    return true;
                }
            }
            return false;
        });
        CliRun waited = cli("backup-begin", "vm1", "push.xml", "--wait");
        assertThat(taker.get(180, TimeUnit.SECONDS)).as("the other caller took the completed statistics").isTrue();
        assertThat(waited.status()).as(waited.stderr()).isZero();
        assertThat(waited.stdout()).contains("Backup completed");
    }

    @Test
    void waitIsRefusedForAPullBackupBeforeItBegins() throws Exception {
        assertThat(cli("start", "vm1").status()).isZero();
        Files.writeString(root.resolve("pull.xml"), "<domainbackup mode='pull'><server transport='unix' socket='"
                + root.resolve("nbd.sock") + "'/></domainbackup>");
        // A pull backup ends only on abort: waiting for it would never return.
        CompletableFuture<CliRun> waiting = CompletableFuture.supplyAsync(() -> cli("backup-begin", "vm1", "pull.xml", "--wait"));
        try (Connection conn = Connection.open(uri)) {
            CliRun r;
            try {
                r = waiting.get(30, TimeUnit.SECONDS);
            } finally {
                if (!waiting.isDone()) {
                    conn.domainByName("vm1").abortJob();
                }
            }
            assertThat(r.status()).isEqualTo(1);
            assertThat(r.stdout()).doesNotContain("Backup started");
            assertThat(r.stderr()).isEqualTo("error: --wait is for push backups: a pull backup ends only when it is "
                    + "aborted (domjobabort)" + System.lineSeparator());
            assertThat(conn.domainByName("vm1").jobInfo(false).type()).isEqualTo(JobType.NONE);
        }
        assertThat(cli("help", "backup-begin").stdout()).contains("refused for a pull backup");
    }

    private CliRun cli(String... words) {
        return CliRun.on(root, uri, words);
    }
}
