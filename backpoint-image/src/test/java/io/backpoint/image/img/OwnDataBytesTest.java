package io.backpoint.image.img;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link QemuImg#ownDataBytes} against real qemu-img and qemu-io: only the overlay's own clusters count. */
class OwnDataBytesTest {
    @TempDir
    Path dir;

    @Test
    void countsTheOverlaysOwnDataEvenWhenItsBackingIsGone() throws Exception {
        Tools.assumeOnPath("qemu-img", "qemu-io");
        QemuImg img = new QemuImg();
        Path base = dir.resolve("base.qcow2");
        Path top = dir.resolve("top.qcow2");
        img.create(base, "qcow2", 8L << 20);
        Tools.run("qemu-io", "-f", "qcow2", "-c", "write -P 0x11 0 4M", base.toString());
        img.create(top, "qcow2", 8L << 20, base, "qcow2");
        Tools.run("qemu-io", "-f", "qcow2", "-c", "write -P 0x22 1M 64k", "-c", "write -P 0x33 6M 128k", top.toString());

        assertThat(img.ownDataBytes(base)).isEqualTo(4L << 20);
        assertThat(img.ownDataBytes(top)).isEqualTo(192L << 10);
        Files.delete(base);
        assertThat(img.ownDataBytes(top)).as("backing never opened").isEqualTo(192L << 10);
    }
}
