package io.backpoint.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.backpoint.testing.Tools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pull-backup copies between real qemu-nbd exports, checked with qemu-img. */
class NbdCopierQemuTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @BeforeAll
    static void needQemuNbd() {
        org.junit.jupiter.api.Assumptions.assumeTrue(QemuNbdServer.available(), "qemu-nbd is not installed");
    }

    /** Progress calls, checked for monotonic growth ending at the total. */
    static final class Recorder implements CopyProgress {
        final List<long[]> calls = new CopyOnWriteArrayList<>();

        @Override
        public void update(long done, long total) {
            calls.add(new long[] {done, total});
        }

        void assertMonotonicEndingAt(long total) {
            assertThat(calls).isNotEmpty();
            long last = -1;
            for (long[] c : calls) {
                assertThat(c[1]).isEqualTo(total);
                assertThat(c[0]).isGreaterThanOrEqualTo(last).isLessThanOrEqualTo(total);
                last = c[0];
            }
            assertThat(last).isEqualTo(total);
        }
    }

    /** {@code qemu-img map} ranges of an image that are present (allocated in the top layer). */
    private static List<long[]> presentRanges(Path image) throws Exception {
        List<long[]> out = new ArrayList<>();
        for (Map<String, String> o : ImageTools.jsonObjects(Tools.run("qemu-img", "map", "--output=json", image.toString()))) {
            if (!o.get("present").equals("true")) {
                continue;
            }
            long start = Long.parseLong(o.get("start"));
            long end = start + Long.parseLong(o.get("length"));
            if (!out.isEmpty() && out.get(out.size() - 1)[1] == start) {
                out.get(out.size() - 1)[1] = end;
            } else {
                out.add(new long[] {start, end});
            }
        }
        return out;
    }

    private static List<long[]> ranges(long... startEnd) {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < startEnd.length; i += 2) {
            out.add(new long[] {startEnd[i], startEnd[i + 1]});
        }
        return out;
    }

    private Path source() throws Exception {
        Path src = dir.resolve("src.qcow2");
        ImageTools.createQcow2(src, 64 * MIB);
        ImageTools.qemuIo(src, "write -P 0x5a 1M 64k", "write -P 0x33 8M 5M", "write -z 10M 1M", "write -P 0x44 40M 64k",
                "write -P 0x99 63M 1M");
        return src;
    }

    @Test
    void fullCopyLandsAsASparseIdenticalQcow2() throws Exception {
        Path src = source();
        Path dst = dir.resolve("dst.qcow2");
        ImageTools.createQcow2(dst, 64 * MIB);
        Recorder progress = new Recorder();
        CopyResult result;
        try (QemuNbdServer s = QemuNbdServer.builder(src).readOnly(true).start();
                QemuNbdServer d = QemuNbdServer.builder(dst).start();
                NbdClient in = s.connect(MetaContext.BASE_ALLOCATION);
                NbdClient out = d.connect(MetaContext.BASE_ALLOCATION)) {
            long expectedData = ExtentMap.query(in, MetaContext.BASE_ALLOCATION)
                    .bytesMatching(f -> (f & MetaContext.STATE_ZERO) == 0);
            result = NbdCopier.full().inFlight(4).chunkSize(MIB).progress(progress).copy(in, out);
            assertThat(result.dataBytes()).isEqualTo(expectedData);
            assertThat(result.zeroBytes()).isZero();
            assertThat(result.total()).isEqualTo(expectedData);
            progress.assertMonotonicEndingAt(result.total());
            assertThat(NbdCopier.full().verify(in, out).matches()).isTrue();
        }
        Tools.run("qemu-img", "compare", "-f", "qcow2", "-F", "qcow2", src.toString(), dst.toString());
        assertThat(ImageTools.rawContents(dst, dir.resolve("dst.raw"))).isEqualTo(ImageTools.rawContents(src, dir.resolve("src.raw")));
        // Only the data clusters were written; the zeroed 10M..11M of the source is no data.
        assertThat(presentRanges(dst)).containsExactlyElementsOf(ranges(MIB, MIB + 65536, 8 * MIB, 10 * MIB,
                11 * MIB, 13 * MIB, 40 * MIB, 40 * MIB + 65536, 63 * MIB, 64 * MIB));
    }

    @Test
    void fullCopyIntoANonZeroDestinationZeroesTheZeroRanges() throws Exception {
        Path src = source();
        Path dst = dir.resolve("dirty-dst.qcow2");
        ImageTools.createQcow2(dst, 64 * MIB);
        ImageTools.qemuIo(dst, "write -P 0xee 0 64M");
        try (QemuNbdServer s = QemuNbdServer.builder(src).readOnly(true).start();
                QemuNbdServer d = QemuNbdServer.builder(dst).start();
                NbdClient in = s.connect(MetaContext.BASE_ALLOCATION);
                NbdClient out = d.connect(MetaContext.BASE_ALLOCATION)) {
            CopyResult result = NbdCopier.full().copy(in, out);
            assertThat(result.skippedBytes()).isZero();
            assertThat(result.zeroBytes() + result.dataBytes()).isEqualTo(64L * MIB);
            assertThat(NbdCopier.full().verify(in, out).matches()).isTrue();
        }
        Tools.run("qemu-img", "compare", "-f", "qcow2", "-F", "qcow2", src.toString(), dst.toString());
    }

    @Test
    void incrementalCopiesOnlyDirtyClusters() throws Exception {
        Path src = dir.resolve("inc-src.qcow2");
        ImageTools.createQcow2(src, 64 * MIB);
        ImageTools.qemuIo(src, "write -P 0x11 0 32M");
        Tools.run("qemu-img", "bitmap", "--add", "--granularity", "65536", src.toString(), "b1");
        // Changes after the checkpoint: new data, data overwritten by zeroes, a partial cluster.
        ImageTools.qemuIo(src, "write -P 0x22 2M 192k", "write -z 4M 128k", "write -P 0x23 20000000 1000",
                "write -P 0x24 50M 64k");
        String ctx = MetaContext.dirtyBitmap("b1");
        Path dst = dir.resolve("inc-dst.qcow2");
        ImageTools.createQcow2(dst, 64 * MIB);
        Recorder progress = new Recorder();
        long c = 65536;
        long p0 = 20000000 / c * c;
        long p1 = (20000000 + 1000 + c - 1) / c * c;
        try (QemuNbdServer s = QemuNbdServer.builder(src).readOnly(true).bitmap("b1").start();
                QemuNbdServer d = QemuNbdServer.builder(dst).start();
                NbdClient in = s.connect(MetaContext.BASE_ALLOCATION, ctx);
                NbdClient out = d.connect(MetaContext.BASE_ALLOCATION)) {
            CopyResult result = NbdCopier.incremental(ctx).progress(progress).copy(in, out);
            long dirtyBytes = 3 * c + 2 * c + (p1 - p0) + c;
            assertThat(result.total()).isEqualTo(dirtyBytes);
            assertThat(result.zeroBytes()).isEqualTo(2 * c);
            progress.assertMonotonicEndingAt(dirtyBytes);
            VerifyResult v = NbdCopier.incremental(ctx).verify(in, out);
            assertThat(v.bytesCompared()).isEqualTo(dirtyBytes);
            assertThat(v.matches()).isTrue();
        }
        byte[] a = ImageTools.rawContents(src, dir.resolve("inc-src.raw"));
        byte[] b = ImageTools.rawContents(dst, dir.resolve("inc-dst.raw"));
        for (long[] r : ranges(2 * MIB, 2 * MIB + 3 * c, 4 * MIB, 4 * MIB + 2 * c, p0, p1, 50 * MIB, 50 * MIB + c)) {
            assertThat(Arrays.copyOfRange(b, (int) r[0], (int) r[1])).as("dirty range at %d", r[0])
                    .isEqualTo(Arrays.copyOfRange(a, (int) r[0], (int) r[1]));
        }
        // Allocated exactly on the dirty clusters (the zeroed ones as zero clusters), nowhere else.
        assertThat(presentRanges(dst)).containsExactlyElementsOf(ranges(2 * MIB, 2 * MIB + 3 * c,
                4 * MIB, 4 * MIB + 2 * c, p0, p1, 50 * MIB, 50 * MIB + c));
        assertThat(b[0]).isZero();
    }

    @Test
    void verifyReportsTheFirstDifference() throws Exception {
        Path src = source();
        Path dst = dir.resolve("v-dst.qcow2");
        ImageTools.createQcow2(dst, 64 * MIB);
        try (QemuNbdServer s = QemuNbdServer.builder(src).readOnly(true).start();
                QemuNbdServer d = QemuNbdServer.builder(dst).start();
                NbdClient in = s.connect(MetaContext.BASE_ALLOCATION);
                NbdClient out = d.connect(MetaContext.BASE_ALLOCATION)) {
            NbdCopier.full().copy(in, out);
            out.write(40 * MIB + 777, new byte[] {1});
            out.write(63 * MIB + 5, new byte[] {2});
            Recorder progress = new Recorder();
            VerifyResult v = NbdCopier.full().inFlight(8).progress(progress).verify(in, out);
            assertThat(v.firstDifference()).hasValue(40L * MIB + 777);
            assertThat(v.bytesCompared()).isEqualTo(64L * MIB);
            progress.assertMonotonicEndingAt(64L * MIB);
        }
    }

    @Test
    void incrementalNeedsTheBitmapContext() throws Exception {
        Path src = source();
        Path dst = dir.resolve("x.qcow2");
        ImageTools.createQcow2(dst, 32 * MIB);
        try (QemuNbdServer s = QemuNbdServer.builder(src).readOnly(true).start();
                QemuNbdServer d = QemuNbdServer.builder(dst).start();
                NbdClient in = s.connect(MetaContext.BASE_ALLOCATION, MetaContext.dirtyBitmap("nope"));
                NbdClient out = d.connect()) {
            assertThatThrownBy(() -> NbdCopier.incremental(MetaContext.dirtyBitmap("nope")).copy(in, out))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fewer than");
            Path dst2 = dir.resolve("y.qcow2");
            ImageTools.createQcow2(dst2, 64 * MIB);
            try (QemuNbdServer d2 = QemuNbdServer.builder(dst2).start(); NbdClient out2 = d2.connect()) {
                assertThatThrownBy(() -> NbdCopier.incremental(MetaContext.dirtyBitmap("nope")).copy(in, out2))
                        .isInstanceOf(NbdException.class).hasMessageContaining("'qemu:dirty-bitmap:nope'");
            }
        }
    }

    @Test
    void destinationDyingMidCopyFailsTheCopy() throws Exception {
        Path src = dir.resolve("big.qcow2");
        ImageTools.createQcow2(src, 512L * MIB);
        ImageTools.qemuIo(src, "write -P 0x42 0 512M");
        Path dst = dir.resolve("big-dst.qcow2");
        ImageTools.createQcow2(dst, 512L * MIB);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (QemuNbdServer s = QemuNbdServer.builder(src).readOnly(true).start();
                    QemuNbdServer d = QemuNbdServer.builder(dst).start();
                    NbdClient in = s.connect(MetaContext.BASE_ALLOCATION);
                    NbdClient out = d.connect()) {
                CountDownLatch started = new CountDownLatch(1);
                Thread killer = new Thread(() -> {
                    try {
                        if (started.await(30, TimeUnit.SECONDS)) {
                            d.kill();
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                killer.start();
                assertThatThrownBy(() -> NbdCopier.full().chunkSize(MIB).progress((done, total) -> {
                    if (done >= 16L * MIB) {
                        started.countDown();
                    }
                }).copy(in, out)).isInstanceOfSatisfying(NbdException.class,
                        e -> assertThat(e.kind()).isEqualTo(NbdException.Kind.CLOSED));
                killer.join();
                // The source connection is still fine.
                assertThat(in.read(0, 512).array()).containsOnly(0x42);
            }
        });
    }
}
