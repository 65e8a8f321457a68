package io.backpoint.qemu.it;

import io.backpoint.qemu.block.BitmapProblem;
import io.backpoint.qemu.qmp.QmpCommands;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.qemu.block.BitmapState;
import io.backpoint.qemu.block.BlockActions;
import io.backpoint.qemu.block.BitmapValidity;
import io.backpoint.qemu.block.BlockNodeNames;
import io.backpoint.qemu.block.BlockNodes;
import io.backpoint.qemu.block.CheckpointPlanner;
import io.backpoint.qemu.block.SizePlanner;
import io.backpoint.image.img.ImageInfo;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.qemu.qmp.QmpException;
import io.backpoint.qemu.qmp.QmpStep;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.testing.QemuTest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint bitmaps on a real QEMU: recording, persistence on clean stop, loss of trust on kill -9. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@QemuTest
class BitmapLifecycleQemuTest {
    private static final String VDA = BlockNodeNames.format("vda");
    private static final String VDB = BlockNodeNames.format("vdb");
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    private LaunchedVm vm;

    @BeforeEach
    void setUp() throws Exception {
        TestVm.assumeQemu();
        vm = new LaunchedVm(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (vm != null) {
            vm.close();
            if (vm.process() != null) {
                assertThat(vm.process().isAlive()).as("QEMU left running").isFalse();
            }
        }
    }

    private static Map<String, List<String>> topOnly() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("vda", List.of(VDA));
        m.put("vdb", List.of(VDB));
        return m;
    }

    @Test
    void checkpointBitmapsRecordPersistAndReload() throws Exception {
        QmpClient qmp = vm.start();
        assertThat(qmp.execute(new QmpStep("query-status", null)).path("status").asText()).isEqualTo("running");

        qmp.execute(QmpCommands.transaction(CheckpointPlanner.create("cp1", List.of(VDA, VDB))));
        vm.guestWrite(0, 0, MIB);

        BlockNodes nodes = vm.nodes();
        BitmapState a = nodes.bitmap(VDA, "cp1").orElseThrow();
        assertThat(a.granularity()).isEqualTo(64 * 1024);
        assertThat(a.count()).isEqualTo(MIB);
        assertThat(a.persistent()).isTrue();
        assertThat(a.recording()).isTrue();
        assertThat(nodes.bitmap(VDB, "cp1").orElseThrow().count()).isZero();
        assertThat(BitmapValidity.check(VDA, "cp1", nodes).valid()).isTrue();
        assertThat(nodes.bitmaps(BlockNodeNames.format("vdc"))).isEmpty();

        // SIZE both ways: the merge plan run on QEMU, and the bitmap's own count.
        SizePlanner.Plan plan = SizePlanner.plan("cp1", topOnly(), nodes);
        qmp.execute(QmpCommands.transaction(plan.prepare()));
        Map<String, Long> sizes = SizePlanner.read(plan, vm.nodes());
        qmp.execute(QmpCommands.transaction(plan.cleanup()));
        assertThat(sizes).containsEntry("vda", MIB).containsEntry("vdb", 0L);
        assertThat(nodes.bitmap(VDA, "cp1").orElseThrow().count()).isEqualTo(MIB);
        assertThat(vm.nodes().bitmap(VDA, SizePlanner.TEMP_BITMAP)).isEmpty();

        // A second checkpoint only sees later writes; the first keeps recording.
        qmp.execute(QmpCommands.transaction(CheckpointPlanner.create("cp2", List.of(VDA, VDB))));
        vm.guestWrite(0, 4 * MIB, 512 * 1024);
        nodes = vm.nodes();
        assertThat(nodes.bitmap(VDA, "cp2").orElseThrow().count()).isEqualTo(512 * 1024);
        assertThat(nodes.bitmap(VDA, "cp1").orElseThrow().count()).isEqualTo(MIB + 512 * 1024);

        // While QEMU runs, the on-disk copy is flagged in use.
        assertThat(vm.img.info(vm.image("vda"), true).bitmaps()).isEmpty();

        assertThat(vm.stop()).as("QEMU exited on quit").isTrue();
        ImageInfo info = vm.img.info(vm.image("vda"));
        assertThat(info.bitmaps()).extracting(ImageInfo.Bitmap::name).containsExactlyInAnyOrder("cp1", "cp2");
        for (ImageInfo.Bitmap b : info.bitmaps()) {
            assertThat(b.auto()).isTrue();
            assertThat(b.inUse()).isFalse();
            assertThat(b.granularity()).isEqualTo(65536);
        }
        assertThat(vm.img.info(vm.image("vdb")).bitmap("cp1")).isNotNull();

        vm.start();
        nodes = vm.nodes();
        for (String name : List.of("cp1", "cp2")) {
            BitmapState b = nodes.bitmap(VDA, name).orElseThrow();
            assertThat(b.recording()).isTrue();
            assertThat(b.persistent()).isTrue();
            assertThat(b.inconsistent()).isFalse();
            assertThat(BitmapValidity.check(VDA, name, nodes).valid()).isTrue();
        }
        assertThat(nodes.bitmap(VDA, "cp1").orElseThrow().count()).isEqualTo(MIB + 512 * 1024);
        // While running, qemu-img -U sees the bitmaps flagged in use: what a crash leaves behind.
        assertThat(vm.img.info(vm.image("vda"), true).bitmap("cp1").inUse()).isTrue();

        // Delete the older checkpoint: its bitmaps go, the newer one stays.
        CheckpointPlanner.DeletePlan del = CheckpointPlanner.delete("cp1", topOnly(), nodes);
        assertThat(del.disksWithoutBitmap()).isEmpty();
        vm.qmp().execute(QmpCommands.transaction(del.actions()));
        assertThat(vm.nodes().bitmap(VDA, "cp1")).isEmpty();
        assertThat(vm.nodes().bitmap(VDA, "cp2")).isPresent();
    }

    @Test
    void killNineLeavesBitmapsInconsistent() throws Exception {
        QmpClient qmp = vm.start();
        qmp.execute(QmpCommands.transaction(CheckpointPlanner.create("cp1", List.of(VDA, VDB))));
        assertThat(vm.stop()).isTrue();

        qmp = vm.start();
        qmp.execute(QmpCommands.transaction(CheckpointPlanner.create("cp2", List.of(VDA, VDB))));
        vm.guestWrite(0, 0, MIB);
        vm.crash();

        // On disk: cp1 was loaded (and so flagged in use) when QEMU opened the image and never
        // saved; cp2 lived only in QEMU's memory.
        ImageInfo info = vm.img.info(vm.image("vda"));
        assertThat(info.bitmap("cp1").inUse()).isTrue();
        assertThat(info.bitmap("cp2")).isNull();

        vm.start();
        BlockNodes nodes = vm.nodes();
        BitmapState cp1 = nodes.bitmap(VDA, "cp1").orElseThrow();
        assertThat(cp1.inconsistent()).isTrue();
        assertThat(cp1.recording()).isFalse();
        assertThat(BitmapValidity.check(VDA, "cp1", nodes).problem()).isEqualTo(BitmapProblem.INCONSISTENT);
        assertThat(BitmapValidity.check(VDA, "cp2", nodes).problem()).isEqualTo(BitmapProblem.MISSING_IN_TOP);
        assertThat(SizePlanner.plan("cp1", topOnly(), nodes).prepare()).isEmpty();

        // An inconsistent bitmap cannot be used, only removed.
        vm.qmp().execute(QmpStep.ofAction(BlockActions.bitmapAdd(VDA, "tmp", false, true, null)));
        assertThatThrownBy(() -> vm.qmp().execute(QmpStep.ofAction(
                BlockActions.bitmapMerge(VDA, "tmp", List.of(new BlockActions.Source(VDA, "cp1"))))))
                .isInstanceOfSatisfying(QmpException.class, e -> assertThat(e.desc()).contains("cp1"));
        assertThatThrownBy(() -> BlockActions.bitmapMerge(VDA, "tmp", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        vm.qmp().execute(QmpStep.ofAction(BlockActions.bitmapRemove(VDA, "tmp")));
        CheckpointPlanner.DeletePlan del = CheckpointPlanner.delete("cp1", topOnly(), nodes);
        vm.qmp().execute(QmpCommands.transaction(del.actions()));
        assertThat(vm.nodes().bitmap(VDA, "cp1")).isEmpty();
        CheckpointPlanner.DeletePlan none = CheckpointPlanner.delete("cp2", topOnly(), vm.nodes());
        assertThat(none.actions()).isEmpty();
        assertThat(none.disksWithoutBitmap()).containsExactly("vda", "vdb");
    }

    @Test
    void offlineBitmapRecordsOnceQemuRuns() throws Exception {
        vm.img.bitmapAdd(vm.image("vda"), "off1", null, true);
        vm.img.bitmapAdd(vm.image("vda"), "off2", null, false);
        vm.start();
        vm.guestWrite(0, 2 * MIB, MIB);
        BlockNodes nodes = vm.nodes();
        assertThat(nodes.bitmap(VDA, "off1").orElseThrow().count()).isEqualTo(MIB);
        assertThat(BitmapValidity.check(VDA, "off1", nodes).valid()).isTrue();
        BitmapState off2 = nodes.bitmap(VDA, "off2").orElseThrow();
        assertThat(off2.count()).isZero();
        assertThat(BitmapValidity.check(VDA, "off2", nodes).problem()).isEqualTo(BitmapProblem.NOT_RECORDING);

        // qemu-img must not touch an image a running QEMU holds.
        assertThatThrownBy(() -> vm.img.bitmapAdd(vm.image("vda"), "late", null, true))
                .hasMessageStartingWith("qemu-img bitmap failed:").hasMessageContaining("lock");
    }

    @Test
    void transactionIsAllOrNothing() throws Exception {
        QmpClient qmp = vm.start();
        qmp.execute(QmpStep.ofAction(BlockActions.bitmapAdd(VDB, "cp1", true, false, null)));
        // vdb already has cp1, so the whole transaction fails and vda gets nothing.
        assertThatThrownBy(() -> qmp.execute(QmpCommands.transaction(CheckpointPlanner.create("cp1", List.of(VDA, VDB)))))
                .isInstanceOfSatisfying(QmpException.class, e -> {
                    assertThat(e.command()).isEqualTo("transaction");
                    assertThat(e.libvirtMessage()).startsWith("unable to execute QEMU command 'transaction': ")
                            .contains("cp1");
                });
        assertThat(vm.nodes().bitmap(VDA, "cp1")).isEmpty();
        // A raw disk cannot hold persistent bitmaps.
        assertThatThrownBy(() -> qmp.execute(QmpCommands.transaction(
                CheckpointPlanner.create("cp9", List.of(BlockNodeNames.format("vdc"))))))
                .isInstanceOf(QmpException.class);
    }
}
