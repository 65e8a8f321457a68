package io.backpoint.image.restore;

import io.backpoint.image.img.QemuImg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.testing.Tools;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Restores with real qemu-img, compared byte for byte with snapshots of the live disk. */
class RestoreTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(ImageFormat.class)
    void restoresTheDiskAsItWasAtEachBackup(ImageFormat fullFormat) throws Exception {
        StandardChain c = StandardChain.build(dir, fullFormat, true);
        assertRestores(List.of(c.full()), c.snap0());
        assertRestores(List.of(c.full(), c.inc1()), c.snap1());
        assertRestores(List.of(c.full(), c.inc1(), c.inc2()), c.snap2());
    }

    @Test
    void restoresWithoutRecordsWithAWarning() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, false);
        RestoreChain chain = RestoreChain.check(List.of(c.full(), c.inc1(), c.inc2()), true);
        assertThat(chain.warnings()).hasSize(1);
        assertThat(chain.warnings().get(0)).contains("have no records", c.inc2().toString(), "checkpoint order");
        Path out = dir.resolve("out.raw");
        new Restorer().restore(chain, out, ImageFormat.RAW, null);
        assertThat(DiskHistory.sha256(out)).isEqualTo(DiskHistory.sha256(c.snap2()));
    }

    @Test
    void recordsLeaveNoWarning() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.RAW, true);
        assertThat(RestoreChain.check(List.of(c.full(), c.inc1(), c.inc2())).warnings()).isEmpty();
    }

    @Test
    void neverOpensTheLiveDisk() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, true);
        Files.delete(c.disk().live());
        assertRestores(List.of(c.full(), c.inc1(), c.inc2()), c.snap2());
    }

    @Test
    void leavesTheBackupsUntouched() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, true);
        List<Path> files = new ArrayList<>();
        for (Path b : List.of(c.full(), c.inc1(), c.inc2())) {
            files.add(b);
            files.add(BackupRecord.pathFor(b));
        }
        // Old times, so that any write during the restore would show as a change.
        FileTime old = FileTime.fromMillis(1_600_000_000_000L);
        for (Path f : files) {
            Files.setLastModifiedTime(f, old);
        }
        Map<Path, String> before = fingerprints(files);
        Path out = dir.resolve("out.qcow2");
        new Restorer().restore(RestoreChain.check(List.of(c.full(), c.inc1(), c.inc2())), out, ImageFormat.QCOW2, null);
        assertThat(fingerprints(files)).isEqualTo(before);
        assertThat(DiskHistory.compare(out, ImageFormat.QCOW2, c.snap2(), ImageFormat.RAW)).isZero();
    }

    @Test
    void refusesAnExistingOutputAndLeavesItAlone() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.RAW, true);
        Path out = dir.resolve("out.raw");
        Files.writeString(out, "precious");
        Files.setLastModifiedTime(out, FileTime.fromMillis(1_600_000_000_000L));
        RestoreChain chain = RestoreChain.check(List.of(c.full(), c.inc1()));
        assertThatThrownBy(() -> new Restorer().restore(chain, out, ImageFormat.RAW, null))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID);
                    assertThat(e.detail()).isEqualTo("output '" + out + "' exists; refusing to overwrite it");
                });
        assertThat(Files.readString(out)).isEqualTo("precious");
        assertThat(Files.getLastModifiedTime(out).toMillis()).isEqualTo(1_600_000_000_000L);
        assertThat(otherFiles(c)).isEmpty();
    }

    @Test
    void refusesADanglingSymlinkAsOutput() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.RAW, true);
        Path out = dir.resolve("link.raw");
        Files.createSymbolicLink(out, dir.resolve("nowhere"));
        assertThatThrownBy(() -> new Restorer().restore(RestoreChain.check(List.of(c.full())), out, ImageFormat.RAW, null))
                .isInstanceOfSatisfying(BackpointException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID));
        assertThat(dir.resolve("nowhere")).doesNotExist();
    }

    @Test
    void refusesAnOutputInAMissingDirectory() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.RAW, true);
        Path out = dir.resolve("no/such/out.raw");
        assertThatThrownBy(() -> new Restorer().restore(RestoreChain.check(List.of(c.full())), out, ImageFormat.RAW, null))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARG);
                    assertThat(e.detail()).contains("does not exist", out.toString());
                });
    }

    @Test
    void aBackupStillBeingWrittenFailsTheRestoreAndLeavesNothing() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.RAW, true);
        RestoreChain chain = RestoreChain.check(List.of(c.full(), c.inc1()));
        // An interactive qemu-io holds inc1 open for writing, as QEMU does during a push backup.
        Process writer = new ProcessBuilder("qemu-io", "-f", "qcow2", c.inc1().toString())
                .redirectErrorStream(true).start();
        try {
            waitForLock(c.inc1());
            Path out = dir.resolve("out.raw");
            assertThatThrownBy(() -> new Restorer().restore(chain, out, ImageFormat.RAW, null))
                    .isInstanceOfSatisfying(BackpointException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED);
                        assertThat(e.detail()).contains(out.toString(), "lock");
                    });
            assertThat(out).doesNotExist();
            assertThat(otherFiles(c)).isEmpty();
        } finally {
            try (OutputStream in = writer.getOutputStream()) {
                in.write("quit\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // already gone
            }
            if (!writer.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                writer.destroyForcibly();
            }
        }
    }

    @Test
    void reportsProgressUpToOneHundred() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, true);
        List<Double> seen = new ArrayList<>();
        new Restorer().restore(RestoreChain.check(List.of(c.full(), c.inc1())), dir.resolve("out.raw"),
                ImageFormat.RAW, seen::add);
        assertThat(seen).isNotEmpty().isSorted();
        assertThat(seen.get(seen.size() - 1)).isEqualTo(100.0);
    }

    @Test
    void aMissingQemuImgIsATypedError() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.RAW, true);
        QemuImg none = new QemuImg(dir.resolve("no-qemu-img").toString(), java.time.Duration.ofMinutes(1));
        assertThatThrownBy(() -> RestoreChain.check(List.of(c.full()), none))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED);
                    assertThat(e.detail()).startsWith("cannot run '" + dir.resolve("no-qemu-img") + "'");
                });
    }

    private void assertRestores(List<Path> backups, Path snapshot) throws Exception {
        RestoreChain chain = RestoreChain.check(backups);
        String n = Integer.toString(backups.size());
        Path raw = dir.resolve("restored-" + n + ".raw");
        new Restorer().restore(chain, raw, ImageFormat.RAW, null);
        assertThat(DiskHistory.sha256(raw)).as("raw restore of %s", backups).isEqualTo(DiskHistory.sha256(snapshot));
        assertThat(DiskHistory.compare(raw, ImageFormat.RAW, snapshot, ImageFormat.RAW)).isZero();

        Path qcow2 = dir.resolve("restored-" + n + ".qcow2");
        new Restorer().restore(chain, qcow2, ImageFormat.QCOW2, null);
        String info = Tools.run("qemu-img", "info", "--output=json", qcow2.toString());
        assertThat(info).contains("\"format\": \"qcow2\"").doesNotContain("backing-filename");
        assertThat(DiskHistory.compare(qcow2, ImageFormat.QCOW2, snapshot, ImageFormat.RAW))
                .as("qcow2 restore of %s", backups).isZero();
        Files.delete(raw);
        Files.delete(qcow2);
    }

    private static Map<Path, String> fingerprints(List<Path> files) throws IOException {
        Map<Path, String> m = new LinkedHashMap<>();
        for (Path f : files) {
            m.put(f, DiskHistory.sha256(f) + " " + Files.getLastModifiedTime(f).toMillis());
        }
        return m;
    }

    /** Files in the directory that are neither inputs, records nor snapshots: leftovers. */
    private List<Path> otherFiles(StandardChain c) throws IOException {
        List<String> known = List.of("live.qcow2", "full.raw", "full.qcow2", "inc1.qcow2", "inc2.qcow2",
                "snap0.raw", "snap1.raw", "snap2.raw", "out.raw", "link.raw");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !known.contains(p.getFileName().toString()) && !p.toString().endsWith(".json"))
                    .toList();
        }
    }

    /** Until qemu-io has the image open: a plain qemu-img info (no -U) then fails on the lock. */
    private static void waitForLock(Path image) throws Exception {
        for (int i = 0; i < 100; i++) {
            Process p = new ProcessBuilder("qemu-img", "info", image.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("qemu-io never locked " + image);
    }
}
