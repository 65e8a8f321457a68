package io.backpoint.image.img;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one qemu-img runner against stand-in scripts: the hardening every run gets (environment,
 * argument order, names) and output real qemu-img gives only by chance.
 */
class QemuImgTest {
    private static final String INFO = "{\"format\":\"qcow2\",\"virtual-size\":1048576,\"actual-size\":200704,"
            + "\"format-specific\":{\"type\":\"qcow2\",\"data\":{\"bitmaps\":[{\"name\":\"c1\",\"granularity\":65536,"
            + "\"flags\":[\"auto\"]}]}}}";

    @TempDir
    Path dir;

    private QemuImg fake(String script) throws Exception {
        Path bin = dir.resolve("fake-qemu-img");
        Files.writeString(bin, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwx------"));
        return new QemuImg(bin.toString(), Duration.ofSeconds(30));
    }

    /** A stand-in that records its arguments and LC_ALL in a file, then prints {@code out}. */
    private QemuImg recording(String out) throws Exception {
        return fake("echo \"LC_ALL=$LC_ALL\" > '" + dir.resolve("argv") + "'; for a in \"$@\"; do echo \"$a\" >> '"
                + dir.resolve("argv") + "'; done; printf '%s' '" + out + "'");
    }

    private List<String> argv() throws IOException {
        return Files.readAllLines(dir.resolve("argv"));
    }

    @Test
    void everyRunIsInTheCLocaleWithNamesAbsoluteAfterDoubleDash() throws Exception {
        Path rel = Path.of("nbd:evil.qcow2");
        ImageInfo info = recording(INFO).info(rel, "qcow2", true);
        assertThat(argv()).containsExactly("LC_ALL=C", "info", "--output=json", "-U", "-f", "qcow2", "--",
                rel.toAbsolutePath().toString());
        assertThat(info.format()).isEqualTo("qcow2");
        assertThat(info.bitmap("c1")).isEqualTo(new ImageInfo.Bitmap("c1", 65536, false, true));

        recording("").bitmapRemove(Path.of("-x.qcow2"), "-c1");
        assertThat(argv()).containsExactly("LC_ALL=C", "bitmap", "--remove", "-f", "qcow2", "--",
                Path.of("-x.qcow2").toAbsolutePath().toString(), "-c1");
    }

    @Test
    void convertOfAChainPassesProgressOnAndTakesOnlyAJsonSpecAsProtocol() throws Exception {
        QemuImg img = fake("echo \"$@\" > '" + dir.resolve("argv") + "'; "
                + "printf '    (0.00/100%%)\\r    (37.50/100%%)\\r    (100.00/100%%)\\r\\nnote\\n'");
        List<Double> seen = new ArrayList<>();
        img.convertSpec("json:{}", dir.resolve("out.raw"), "raw", seen::add);
        assertThat(seen).containsExactly(0.0, 37.5, 100.0);
        assertThat(argv()).containsExactly("convert -p -O raw -- json:{} " + dir.resolve("out.raw"));
        assertThatThrownBy(() -> img.convertSpec("nbd:localhost", dir.resolve("o"), "raw", null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void failureCarriesQemuImgsMessage() throws Exception {
        QemuImg img = fake("echo \"qemu-img: Could not open '$6': No such file\" >&2; exit 1");
        assertThatThrownBy(() -> img.info(Path.of("/x/y.qcow2"), "qcow2", false))
                .isInstanceOfSatisfying(QemuImgException.class, e -> {
                    assertThat(e.detail()).isEqualTo("Could not open '/x/y.qcow2': No such file");
                    assertThat(e.getMessage()).isEqualTo("qemu-img info failed: Could not open '/x/y.qcow2': No such file");
                });
    }

    @Test
    void aSilentFailureStillSaysSomething() throws Exception {
        assertThatThrownBy(() -> fake("exit 3").info(Path.of("/a")))
                .isInstanceOfSatisfying(QemuImgException.class,
                        e -> assertThat(e.detail()).isEqualTo("qemu-img exited with status 3"));
    }

    @Test
    void outputThatIsNotQemuImgsJsonIsAFailureOfInfo() throws Exception {
        assertThatThrownBy(() -> fake("echo 'not json'").info(Path.of("/a")))
                .isInstanceOfSatisfying(QemuImgException.class,
                        e -> assertThat(e.detail()).startsWith("unexpected output of qemu-img info: not json"));
    }

    @Test
    void aMissingBinaryIsNamed() {
        QemuImg none = new QemuImg(dir.resolve("no-qemu-img").toString(), Duration.ofSeconds(5));
        assertThatThrownBy(() -> none.info(Path.of("/a")))
                .isInstanceOf(IOException.class).isNotInstanceOf(QemuImgException.class)
                .hasMessage("cannot run '" + dir.resolve("no-qemu-img") + "': No such file or directory");
    }

    @Test
    void aRunBeyondTheTimeLimitIsKilledAndSaidSo() throws Exception {
        fake("exec sleep 30");
        QemuImg slow = new QemuImg(dir.resolve("fake-qemu-img").toString(), Duration.ofMillis(300));
        assertThatThrownBy(() -> slow.info(Path.of("/a"))).isInstanceOf(QemuImgTimeoutException.class)
                .hasMessageContaining("did not finish");
    }
}
