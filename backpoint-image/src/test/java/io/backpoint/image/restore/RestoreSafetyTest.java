package io.backpoint.image.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A restore never succeeds with wrong data and leaves nothing behind: a backup without a record
 * is refused unless allowed, a truncated or altered one is refused by name, a killed restore's
 * qemu-img dies with it and its hidden temporary file goes with the next restore.
 */
class RestoreSafetyTest {
    @TempDir
    Path dir;

    @Test
    void aBackupWithoutRecordIsRefusedUnlessAllowed() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, false);
        assertThatThrownBy(() -> RestoreChain.check(List.of(c.full(), c.inc1())))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID);
                    assertThat(e.detail()).contains(c.full().toString(), "has no record", "--allow-unrecorded");
                });
        RestoreChain allowed = RestoreChain.check(List.of(c.full(), c.inc1()), true);
        assertThat(allowed.warnings()).singleElement().asString().contains("have no records");
        new Restorer().restore(allowed, dir.resolve("out.raw"), ImageFormat.RAW, null);
        assertThat(Files.mismatch(dir.resolve("out.raw"), c.snap1())).isEqualTo(-1L);
    }

    @Test
    void aTruncatedBackupIsRefusedByName() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, true);
        assertThat(Files.size(c.full())).isGreaterThan(1L << 20);
        try (FileChannel ch = FileChannel.open(c.full(), StandardOpenOption.WRITE)) {
            ch.truncate(1L << 20);
        }
        assertThatThrownBy(() -> RestoreChain.check(List.of(c.full(), c.inc1())))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID);
                    assertThat(e.detail()).contains("backup '" + c.full() + "'", "truncated");
                });
        assertThat(Files.exists(dir.resolve("out.raw"))).isFalse();
    }

    @Test
    void anAlteredBackupOfTheSameSizeIsRefusedByName() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, true);
        long size = Files.size(c.inc1());
        try (RandomAccessFile f = new RandomAccessFile(c.inc1().toFile(), "rw")) {
            f.seek(size - 4096);
            int b = f.read();
            f.seek(size - 4096);
            f.write(b ^ 0xff);
        }
        assertThat(Files.size(c.inc1())).isEqualTo(size);
        assertThatThrownBy(() -> RestoreChain.check(List.of(c.full(), c.inc1())))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID);
                    assertThat(e.detail()).contains("backup '" + c.inc1() + "'", "CRC-32C", "altered");
                });
    }

    @Test
    void leftoversOfKilledRestoresAreRemovedByTheNextOneButNotAFileInUse() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, true);
        Path left = Files.writeString(dir.resolve(".old.raw.4242.restoring"), "half a disk");
        Path inUse = Files.writeString(dir.resolve(".busy.raw.4343.restoring"), "being written");
        Path notOurs = Files.writeString(dir.resolve(".notes.restoring"), "a user's file");
        try (FileChannel ch = FileChannel.open(inUse, StandardOpenOption.WRITE)) {
            ch.lock();
            new Restorer().restore(RestoreChain.check(List.of(c.full())), dir.resolve("out.raw"), ImageFormat.RAW, null);
        }
        assertThat(left).doesNotExist();
        assertThat(inUse).exists();
        assertThat(notOurs).exists();
        assertThat(Files.mismatch(dir.resolve("out.raw"), c.snap0())).isEqualTo(-1L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"KILL", "TERM"})
    void qemuImgDiesWithAKilledRestore(String signal) throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, true);
        // convert at 64 KiB/s: minutes for this disk, so it is surely running when the JVM dies.
        Path slow = dir.resolve("slow-qemu-img");
        Files.writeString(slow, "#!/bin/sh\nif [ \"$1\" = convert ]; then shift; exec qemu-img convert -r 65536 \"$@\"; fi\n"
                + "exec qemu-img \"$@\"\n");
        Files.setPosixFilePermissions(slow, PosixFilePermissions.fromString("rwx------"));
        Path outDir = Files.createDirectories(dir.resolve("restored"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SlowRestoreMain.class.getName(), slow.toString(), c.full().toString(), outDir.resolve("out.raw").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        String pattern = "convert.*" + outDir;
        long deadline = System.currentTimeMillis() + 120_000;
        while (status("pgrep", "-f", pattern) != 0) {
            assertThat(child.isAlive()).as("restore running: %s", Files.readString(dir.resolve("child.log"))).isTrue();
            assertThat(System.currentTimeMillis()).as("qemu-img convert started").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(status("kill", "-" + signal, Long.toString(child.pid()))).isZero();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        deadline = System.currentTimeMillis() + 30_000;
        while (status("pgrep", "-f", pattern) == 0) {
            assertThat(System.currentTimeMillis()).as("qemu-img convert died with the restore (SIG%s)", signal)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
        // SIGTERM runs the shutdown hook, which deletes the temporary file; after SIGKILL the next restore does.
        new Restorer().restore(RestoreChain.check(List.of(c.full())), outDir.resolve("next.raw"), ImageFormat.RAW, null);
        try (Stream<Path> s = Files.list(outDir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("next.raw");
        }
    }

    private static int status(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}
