package io.backpoint.qemu.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.image.img.ImageInfo;
import io.backpoint.image.img.QemuImg;
import io.backpoint.qemu.process.QemuProcess;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.testing.QemuTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** qemu-img wrapper and process launch failures against the real binaries. */
@QemuTest
class QemuImgQemuTest {
    @TempDir
    Path dir;

    private final QemuImg img = new QemuImg();

    @BeforeEach
    void needQemu() {
        TestVm.assumeQemu();
    }

    @Test
    void createInfoAndBitmapFlags() throws Exception {
        Path base = dir.resolve("base.qcow2");
        Path top = dir.resolve("top.qcow2");
        img.create(base, "qcow2", 64L << 20);
        img.create(top, "qcow2", -1, base, "qcow2");
        ImageInfo info = img.info(top);
        assertThat(info.format()).isEqualTo("qcow2");
        assertThat(info.virtualSize()).isEqualTo(64L << 20);
        assertThat(info.actualSize()).isPositive();
        assertThat(info.backingFilename()).isEqualTo(base.toString());
        assertThat(info.backingFormat()).isEqualTo("qcow2");

        img.bitmapAdd(top, "b1", 131072L, true);
        img.bitmapAdd(top, "b2", null, false);
        info = img.info(top);
        assertThat(info.bitmaps()).containsExactly(new ImageInfo.Bitmap("b1", 131072, false, true),
                new ImageInfo.Bitmap("b2", 65536, false, false));
        img.bitmapDisable(top, "b1");
        img.bitmapEnable(top, "b2");
        assertThat(img.info(top).bitmap("b1").auto()).isFalse();
        assertThat(img.info(top).bitmap("b2").auto()).isTrue();
        img.bitmapRemove(top, "b1");
        assertThat(img.info(top).bitmaps()).extracting(ImageInfo.Bitmap::name).containsExactly("b2");
        assertThat(img.check(top).clean()).isTrue();
        assertThat(img.info(dir.resolve("base.qcow2")).bitmaps()).isEmpty();
    }

    @Test
    void errorsCarryQemuImgsMessage() throws Exception {
        Path a = dir.resolve("a.qcow2");
        img.create(a, "qcow2", 1 << 20);
        assertThatThrownBy(() -> img.bitmapRemove(a, "nope"))
                .isInstanceOf(IOException.class).hasMessageStartingWith("qemu-img bitmap failed:")
                .hasMessageContaining("nope");
        assertThatThrownBy(() -> img.info(dir.resolve("missing.qcow2")))
                .isInstanceOf(IOException.class).hasMessageContaining("missing.qcow2");
        Path raw = dir.resolve("r.raw");
        img.create(raw, "raw", 1 << 20);
        assertThatThrownBy(() -> img.bitmapAdd(raw, "b", null, true)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> new QemuImg("/nonexistent/qemu-img", Duration.ofSeconds(5)).info(a))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot run");
    }

    @Test
    void launchFailureReportsQemusError() throws Exception {
        Path pid = dir.resolve("x.pid");
        Path qmp = dir.resolve("x.qmp");
        List<String> argv = List.of("qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-m", "64", "-nodefaults",
                "-display", "none", "-blockdev",
                "{\"driver\":\"file\",\"filename\":\"" + dir.resolve("absent.qcow2") + "\",\"node-name\":\"s\"}",
                "-daemonize", "-pidfile", pid.toString(), "-qmp", "unix:" + qmp + ",server=on,wait=off");
        assertThatThrownBy(() -> QemuProcess.launch(argv, pid, qmp, dir.resolve("x.log"), Duration.ofSeconds(30)))
                .isInstanceOf(IOException.class).hasMessageStartingWith("QEMU failed to start")
                .hasMessageContaining("absent.qcow2");
        assertThat(QemuProcess.attach(pid)).isEmpty();
    }

    @Test
    void attachFindsOnlyOurProcess() throws Exception {
        Path pid = dir.resolve("y.pid");
        Files.writeString(pid, ProcessHandle.current().pid() + "\n");
        assertThat(QemuProcess.attach(pid)).as("the JVM is not our QEMU").isEmpty();
        Files.writeString(pid, "garbage\n");
        assertThatThrownBy(() -> QemuProcess.attach(pid)).isInstanceOf(IOException.class)
                .hasMessageContaining("does not hold a pid");
    }

    @Test
    void attachAfterLaunchAndKill() throws Exception {
        try (LaunchedVm vm = new LaunchedVm(dir)) {
            vm.start();
            QemuProcess again = QemuProcess.attach(vm.process().pidFile()).orElseThrow();
            assertThat(again.pid()).isEqualTo(vm.process().pid());
            assertThat(again.isAlive()).isTrue();
            vm.crash();
            assertThat(again.isAlive()).isFalse();
            assertThat(QemuProcess.attach(vm.process().pidFile())).isEmpty();
        }
    }
}
