package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.api.Checkpoint;
import io.backpoint.vocab.CheckpointDeleteFlag;
import io.backpoint.vocab.CheckpointXmlFlag;
import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.vocab.DomainState;
import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * One scenario through the Java API, written once against {@link Connection}, {@link Domain} and
 * {@link Checkpoint}, run on both drivers: Backpoint's daemonless {@code qemu:///embed} and
 * libvirtd at {@code qemu:///system}. Define and start, checkpoint, guest write and its size, a
 * push backup with a checkpoint and its statistics, a pull backup and its abort, libvirt's errors,
 * delete, and cleanup (also on failure).
 */
class LibvirtApiBothDriversTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"qemu:///embed", "qemu:///system"})
    void sameScenarioOnBothDrivers(String driver) throws Exception {
        String uri = driver;
        if (driver.equals("qemu:///system")) {
            LibvirtTestDomain.assumeReachable();
        } else {
            uri = "qemu:///embed?root=" + dir.resolve("state");
        }
        String name = "bp-api-" + (driver.endsWith("system") ? "lv" : "em");
        Path disk = dir.resolve("vda.qcow2");
        exec("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "64M");
        try (Connection conn = Connection.open(uri)) {
            Domain dom = conn.defineDomain("""
                    <domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
                      <os><type arch='x86_64' machine='pc'>hvm</type></os>
                      <devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
                        <source file='%s'/><target dev='vda' bus='virtio'/></disk></devices></domain>
                    """.formatted(name, disk));
            try {
                dom.start();
                assertThat(conn.domainByName(name).state()).isEqualTo(DomainState.RUNNING);
                Checkpoint c1 = dom.createCheckpoint("<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
                dom.monitorCommand("qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -P 0xab 0 1M\"", true);
                assertThat(c1.xmlDesc(EnumSet.of(CheckpointXmlFlag.SIZE, CheckpointXmlFlag.NO_DOMAIN)))
                        .contains("<disk name='vda' checkpoint='bitmap' bitmap='c1' size='1048576'/>");

                dom.backupBegin("<domainbackup><disks><disk name='vda' type='file'><target file='" + dir.resolve("full.qcow2")
                        + "'/></disk></disks></domainbackup>", "<domaincheckpoint><name>b1</name></domaincheckpoint>", 0);
                JobInfo done = awaitEnd(dom);
                assertThat(done.type()).isEqualTo(JobType.COMPLETED);
                assertThat(done.operation()).isEqualTo(JobInfo.OPERATION_BACKUP);
                assertThat(done.dataTotal()).isEqualTo(64L << 20);
                assertThat(done.dataProcessed()).isEqualTo(64L << 20);
                assertThat(dom.checkpoint("b1").parent()).isEqualTo(c1);
                assertThat(dom.listCheckpoints(0)).extracting(Checkpoint::name).containsExactlyInAnyOrder("c1", "b1");
                assertThat(c1.children(0)).extracting(Checkpoint::name).containsExactly("b1");

                dom.backupBegin("<domainbackup mode='pull'><incremental>b1</incremental><server transport='unix' socket='"
                        + dir.resolve("nbd.sock") + "'/><disks><disk name='vda' type='file'><scratch file='"
                        + dir.resolve("scratch.qcow2") + "'/></disk></disks></domainbackup>", null, 0);
                assertThat(dom.backupXmlDesc()).contains("<domainbackup mode='pull'>", "<incremental>b1</incremental>",
                        "exportbitmap='backup-vda'");
                assertThat(dom.jobInfo(false).type()).isEqualTo(JobType.UNBOUNDED);
                dom.abortJob();
                assertThat(dom.jobInfo(false).type()).isEqualTo(JobType.NONE);

                // libvirt's errors, the same code and text on both drivers.
                assertThatThrownBy(() -> dom.checkpoint("nope")).isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NO_DOMAIN_CHECKPOINT);
                    assertThat(e.getMessage()).isEqualTo("Domain checkpoint not found: no domain checkpoint with matching name 'nope'");
                });
                assertThatThrownBy(() -> c1.parent()).isInstanceOfSatisfying(BackpointException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_DOMAIN_CHECKPOINT));
                assertThatThrownBy(dom::abortJob).isInstanceOfSatisfying(BackpointException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID));

                c1.delete(EnumSet.of(CheckpointDeleteFlag.CHILDREN));
                assertThat(dom.listCheckpoints(0)).isEmpty();
            } finally {
                if (dom.state().active()) {
                    dom.destroy();
                }
                dom.undefine(true);
            }
            assertThatThrownBy(() -> conn.domainByName(name)).isInstanceOfSatisfying(BackpointException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_DOMAIN));
        }
    }

    /** Polls the job until it ends (a push backup ends by itself); its completed statistics. */
    private static JobInfo awaitEnd(Domain dom) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            JobInfo now = dom.jobInfo(false);
            if (now.type() == JobType.NONE || now.ended()) {
                return dom.jobInfo(true, true);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("backup did not end within two minutes");
    }

    private void exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("exec.log").toFile()).start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).isZero();
    }
}
