package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restore command end to end with real qemu-img, without any connection. */
class RestoreCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void backups() throws Exception {
        Assumptions.assumeTrue(Tools.onPath("qemu-img") && Tools.onPath("qemu-io"), "qemu-img and qemu-io are needed");
        run("qemu-img", "create", "-q", "-f", "qcow2", "live.qcow2", "4M");
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0x21 0 1M", "live.qcow2");
        run("qemu-img", "convert", "-O", "raw", "live.qcow2", "full.raw");
        run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "live.qcow2", "-F", "qcow2", "inc.qcow2", "4M");
        for (String image : new String[] {"live.qcow2", "inc.qcow2"}) {
            run("qemu-io", "-f", "qcow2", "-c", "write -P 0x42 64k 64k", image);
        }
        run("qemu-img", "convert", "-O", "raw", "live.qcow2", "expected.raw");
    }

    @Test
    void backupsWithoutRecordsAreRefusedUnlessAllowed() throws Exception {
        int status = main("restore", "--output", "disk.raw", "full.raw", "inc.qcow2");
        assertThat(status).isEqualTo(1);
        assertThat(err()).isEqualTo("error: Requested operation is not valid: backup '" + dir.resolve("full.raw")
                + "' has no record (<backup>.json): a backup job writes it only when it completes, so this may be the"
                + " half-written target of a job that did not; restore it anyway with --allow-unrecorded\n");
        assertThat(dir.resolve("disk.raw")).doesNotExist();
    }

    @Test
    void restoresAndSaysFromHowManyBackups() throws Exception {
        int status = main("restore", "--allow-unrecorded", "--output", "disk.raw", "full.raw", "inc.qcow2");
        assertThat(err()).startsWith("warning: backups '" + dir.resolve("full.raw") + "', '"
                + dir.resolve("inc.qcow2") + "' have no records");
        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("Restored " + dir.resolve("disk.raw") + " from 2 backups\n");
        assertThat(Files.mismatch(dir.resolve("disk.raw"), dir.resolve("expected.raw"))).isEqualTo(-1L);
    }

    @Test
    void qcow2OnRequestAndProgressWhenVerbose() throws Exception {
        int status = main("restore", "--format", "qcow2", "--verbose", "--allow-unrecorded", "--output", "disk.qcow2",
                "full.raw", "inc.qcow2");
        assertThat(status).isZero();
        assertThat(err()).contains("Restore: [100 %]");
        assertThat(run("qemu-img", "compare", "-f", "qcow2", "-F", "raw", "disk.qcow2", "expected.raw"))
                .contains("Images are identical");
    }

    @Test
    void refusesAnExistingOutputBeforeLookingAtTheBackups() throws Exception {
        Files.writeString(dir.resolve("disk.raw"), "keep");
        int status = main("restore", "--output", "disk.raw", "full.raw", "inc.qcow2");
        assertThat(status).isEqualTo(1);
        assertThat(err()).isEqualTo("error: Requested operation is not valid: output '" + dir.resolve("disk.raw")
                + "' exists; refusing to overwrite it\n");
        assertThat(Files.readString(dir.resolve("disk.raw"))).isEqualTo("keep");
    }

    @Test
    void usageMistakes() {
        assertThat(main("restore", "full.raw")).isEqualTo(1);
        assertThat(err()).isEqualTo("error: command 'restore' requires --output option\n");
        err.reset();
        assertThat(main("restore", "--output", "x.raw")).isEqualTo(1);
        assertThat(err()).isEqualTo("error: command 'restore' requires <backup> option\n");
        err.reset();
        assertThat(main("restore", "--output", "x.raw", "--format", "vdi", "full.raw")).isEqualTo(1);
        assertThat(err()).isEqualTo("error: invalid argument: unsupported image format 'vdi' (expected 'raw' or 'qcow2')\n");
        err.reset();
        assertThat(main("restore", "--allow-unrecorded", "--output", "x.raw", "inc.qcow2", "full.raw")).isEqualTo(1);
        assertThat(err()).contains("error: Requested operation is not valid: backup '" + dir.resolve("inc.qcow2")
                + "' has a backing file");
        assertThat(dir.resolve("x.raw")).doesNotExist();
    }

    private int main(String... args) {
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        return Main.run(args, java.io.InputStream.nullInputStream(), false, o, e, dir, uri -> {
            throw new AssertionError("restore must not connect (" + uri + ")");
        });
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + text);
        }
        return text;
    }

}
