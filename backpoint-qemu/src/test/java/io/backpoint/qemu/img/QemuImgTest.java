package io.backpoint.qemu.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner against stand-in scripts, for output real qemu-img gives only by chance. */
class QemuImgRunnerTest {
    @TempDir
    Path dir;

    private QemuImgRunner fake(String script) throws Exception {
        Path bin = dir.resolve("fake-qemu-img");
        Files.writeString(bin, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwx------"));
        return new QemuImgRunner(bin.toString());
    }

    @Test
    void passesProgressOnAndKeepsOtherOutput() throws Exception {
        QemuImgRunner img = fake("printf '    (0.00/100%%)\\r    (37.50/100%%)\\r    (100.00/100%%)\\r\\nnote\\n'");
        List<Double> seen = new ArrayList<>();
        QemuImgRunner.Result r = img.convert(List.of("a", "b"), seen::add);
        assertThat(r.ok()).isTrue();
        assertThat(seen).containsExactly(0.0, 37.5, 100.0);
        assertThat(r.stdout()).isEqualTo("note\n");
    }

    @Test
    void failureCarriesQemuImgsMessage() throws Exception {
        QemuImgRunner img = fake("echo \"qemu-img: Could not open '$6': No such file\" >&2; exit 1");
        QemuImgRunner.Result r = img.info(Path.of("/x/y.qcow2"), ImageFormat.QCOW2);
        assertThat(r.ok()).isFalse();
        assertThat(r.message()).isEqualTo("Could not open '/x/y.qcow2': No such file");
    }

    @Test
    void infoPassesAnAbsolutePathAndTheFormat() throws Exception {
        QemuImgRunner img = fake("echo \"$@\"");
        QemuImgRunner.Result r = img.info(Path.of("rel.qcow2"), ImageFormat.RAW);
        assertThat(r.stdout().strip())
                .isEqualTo("info -U --output=json -f raw " + Path.of("rel.qcow2").toAbsolutePath());
    }

    @Test
    void aSilentFailureStillSaysSomething() throws Exception {
        assertThat(fake("exit 3").info(Path.of("/a"), null).message()).isEqualTo("qemu-img exited with status 3");
    }
}
