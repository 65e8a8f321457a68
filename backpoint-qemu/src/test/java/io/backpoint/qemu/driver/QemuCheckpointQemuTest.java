package io.backpoint.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.api.Checkpoint;
import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.qemu.testing.RunningVm;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import io.backpoint.vocab.CheckpointCreateFlag;
import io.backpoint.vocab.CheckpointDeleteFlag;
import io.backpoint.vocab.CheckpointListFlag;
import io.backpoint.vocab.CheckpointXmlFlag;
import io.backpoint.vocab.DomainState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints as persistent dirty bitmaps on a real QEMU, through the public API. */
@QemuTest
class QemuCheckpointQemuTest {
    private static final long MIB = 1 << 20;
    private static final String TWO_DISKS = "<domaincheckpoint><name>%s</name><disks>"
            + "<disk name='vda'/><disk name='vdb'/></disks></domaincheckpoint>";

    @TempDir
    Path root;

    private RunningVm vm;
    private Connection conn;
    private Domain dom;

    @BeforeEach
    void start() throws Exception {
        TestVm.assumeQemu();
        vm = RunningVm.start(root, TestVm.DISK_SIZE, "qcow2", "qcow2", "raw");
        conn = vm.conn();
        dom = vm.dom();
    }

    @AfterEach
    void stop() {
        if (vm != null) {
            vm.close();
        }
    }

    @Test
    void sizeIsTheBytesWrittenSinceEachCheckpoint() {
        dom.createCheckpoint(String.format(TWO_DISKS, "c1"), 0);
        assertThat(dom.checkpoint("c1").problem()).isEmpty();
        TestVm.guestWrite(dom, 0, 0xab, 0, MIB);
        dom.createCheckpoint(String.format(TWO_DISKS, "c2"), 0);
        TestVm.guestWrite(dom, 0, 0xcd, 4 * MIB, 2 * MIB);
        TestVm.guestWrite(dom, 1, 0xef, 8 * MIB, 64 * 1024);

        assertThat(sizes(dom.checkpoint("c1"))).containsExactly(3 * MIB, 64 * 1024L);
        assertThat(sizes(dom.checkpoint("c2"))).containsExactly(2 * MIB, 64 * 1024L);
        assertThat(dom.checkpoint("c2").parent().name()).isEqualTo("c1");
        // The raw disk takes no part.
        assertThat(dom.checkpoint("c1").definition().disk("vdc").type().xml()).isEqualTo("no");
    }

    @Test
    void rawDiskMustBeExcluded() {
        assertThatThrownBy(() -> dom.createCheckpoint("<domaincheckpoint><name>c1</name></domaincheckpoint>", 0))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_UNSUPPORTED);
                    assertThat(e.getMessage()).contains("vdc").contains("raw");
                });
        assertThat(dom.listCheckpoints(0)).isEmpty();
    }

    @Test
    void bitmapsSurviveDestroyStartAndANewProcess() {
        dom.createCheckpoint(String.format(TWO_DISKS, "c1"), 0);
        TestVm.guestWrite(dom, 0, 0x11, 0, MIB);
        dom.destroy();
        assertThat(dom.state()).isEqualTo(DomainState.SHUTOFF);
        dom.start();
        TestVm.guestWrite(dom, 0, 0x22, 2 * MIB, MIB);
        try (Connection other = Connection.open(conn.uri())) {
            Domain again = other.domainByName("vm1");
            assertThat(again.listCheckpoints(0)).extracting(Checkpoint::name).containsExactly("c1");
            assertThat(sizes(again.checkpoint("c1"))).containsExactly(2 * MIB, 0L);
            again.createCheckpoint(String.format(TWO_DISKS, "c2"), 0);
            assertThat(again.checkpoint("c2").parent().name()).isEqualTo("c1");
        }
    }

    @Test
    void afterKillNineTheCheckpointIsReportedInconsistent() throws Exception {
        dom.createCheckpoint(String.format(TWO_DISKS, "c1"), 0);
        dom.destroy();
        dom.start();
        TestVm.guestWrite(dom, 0, 0x33, 0, MIB);
        long pid = Long.parseLong(Files.readString(root.resolve("state/run/vm1/vm1.pid")).trim());
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        assertThat(dom.state()).isEqualTo(DomainState.SHUTOFF);
        dom.start();
        assertThat(dom.checkpoint("c1").problem()).hasValueSatisfying(
                p -> assertThat(p).contains("'c1'").contains("'vda'").contains("inconsistent"));
        assertThatThrownBy(() -> dom.checkpoint("c1").xmlDesc(EnumSet.of(CheckpointXmlFlag.SIZE)))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_INCONSISTENT);
                    assertThat(e.getMessage()).contains("c1").contains("vda").contains("full backup");
                });
        assertThatThrownBy(() -> dom.createCheckpoint(dom.checkpoint("c1").xmlDesc(0),
                EnumSet.of(CheckpointCreateFlag.REDEFINE, CheckpointCreateFlag.REDEFINE_VALIDATE)))
                .isInstanceOfSatisfying(BackpointException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_INCONSISTENT));
        // The way out works: delete it and start again.
        dom.checkpoint("c1").delete(0);
        assertThat(dom.listCheckpoints(0)).isEmpty();
    }

    @Test
    void destroyWhileAnotherClientHoldsTheMonitorStillSavesTheBitmaps() throws Exception {
        dom.createCheckpoint(String.format(TWO_DISKS, "c1"), 0);
        TestVm.guestWrite(dom, 0, 0x55, 0, MIB);
        Path qmp = root.resolve("state/run/vm1/vm1.qmp");
        try (java.nio.channels.SocketChannel squatter = java.nio.channels.SocketChannel.open(
                java.net.UnixDomainSocketAddress.of(qmp))) {
            dom.destroy();
        }
        assertThat(dom.state()).isEqualTo(DomainState.SHUTOFF);
        // A clean exit (SIGTERM, not SIGKILL) wrote the bitmap: it is usable after a restart.
        dom.start();
        assertThat(dom.checkpoint("c1").problem()).isEmpty();
        assertThat(sizes(dom.checkpoint("c1"))).containsExactly(MIB, 0L);
    }

    @Test
    void deleteRemovesBitmapsAndMetadataOnlyKeepsThem() throws Exception {
        dom.createCheckpoint(String.format(TWO_DISKS, "c1"), 0);
        dom.createCheckpoint(String.format(TWO_DISKS, "c2"), 0);
        dom.createCheckpoint(String.format(TWO_DISKS, "c3"), 0);
        dom.checkpoint("c2").delete(0);
        assertThat(dom.checkpoint("c3").parent().name()).isEqualTo("c1");
        dom.checkpoint("c3").delete(EnumSet.of(CheckpointDeleteFlag.METADATA_ONLY));
        dom.destroy();
        String info = Tools.run("qemu-img", "info", "--output=json",
                root.resolve("images/vm1-vda.qcow2").toString());
        assertThat(info).contains("\"c1\"").contains("\"c3\"").doesNotContain("\"c2\"");
        assertThat(dom.listCheckpoints(0)).extracting(Checkpoint::name).containsExactly("c1");
    }

    @Test
    void offlineCheckpointRecordsWritesAfterTheNextStart() {
        dom.destroy();
        dom.createCheckpoint(String.format(TWO_DISKS, "off1"), 0);
        dom.start();
        TestVm.guestWrite(dom, 1, 0x44, MIB, MIB);
        assertThat(sizes(dom.checkpoint("off1"))).containsExactly(0L, MIB);
        dom.createCheckpoint(dom.checkpoint("off1").xmlDesc(0),
                EnumSet.of(CheckpointCreateFlag.REDEFINE, CheckpointCreateFlag.REDEFINE_VALIDATE));
    }

    @Test
    void twoProcessesCreatingCheckpointsAtOnceKeepAConsistentTree() throws Exception {
        int perProcess = 6;
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> children = new java.util.ArrayList<>();
        for (String prefix : List.of("a", "b")) {
            children.add(new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                    CreateCheckpointsMain.class.getName(), conn.uri(), "vm1", prefix, Integer.toString(perProcess))
                    .redirectErrorStream(true).start());
        }
        for (Process p : children) {
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(output).isZero();
        }
        List<Checkpoint> all = dom.listCheckpoints(EnumSet.of(CheckpointListFlag.TOPOLOGICAL));
        assertThat(all).hasSize(2 * perProcess);
        // One chain, each checkpoint the child of the one created just before it, whichever
        // process created it; and each process's own checkpoints in its own order.
        assertThat(dom.listCheckpoints(EnumSet.of(CheckpointListFlag.ROOTS))).hasSize(1);
        assertThat(dom.listCheckpoints(EnumSet.of(CheckpointListFlag.LEAVES))).hasSize(1);
        List<String> chain = all.stream().map(Checkpoint::name).toList();
        for (String prefix : List.of("a", "b")) {
            List<String> mine = chain.stream().filter(n -> n.startsWith(prefix + "-")).toList();
            assertThat(mine).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(0, perProcess).mapToObj(i -> prefix + "-" + i).toList());
        }
        for (int i = 1; i < chain.size(); i++) {
            assertThat(dom.checkpoint(chain.get(i)).parent().name()).isEqualTo(chain.get(i - 1));
        }
    }

    private static List<Long> sizes(Checkpoint c) {
        String xml = c.xmlDesc(EnumSet.of(CheckpointXmlFlag.SIZE, CheckpointXmlFlag.NO_DOMAIN));
        Matcher m = Pattern.compile("bitmap='[^']*' size='(\\d+)'").matcher(xml);
        List<Long> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

}
