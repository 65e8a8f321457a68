package io.backpoint.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.backpoint.testing.Tools;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real qemu-nbd, checked against qemu-img, qemu-io and nbdinfo. */
class NbdClientQemuTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @BeforeAll
    static void needQemuNbd() {
        org.junit.jupiter.api.Assumptions.assumeTrue(QemuNbdServer.available(), "qemu-nbd is not installed");
    }

    private Path patternedImage() throws Exception {
        Path image = dir.resolve("src.qcow2");
        ImageTools.createQcow2(image, 16 * MIB);
        ImageTools.qemuIo(image, "write -P 0x5a 1M 64k", "write -P 0xa5 3M 4k", "write -P 0x11 5242880 1536",
                "write -P 0x77 15M 1M");
        return image;
    }

    @Test
    void readReturnsExactlyTheImageData() throws Exception {
        Path image = patternedImage();
        byte[] expected = ImageTools.rawContents(image, dir.resolve("src.raw"));
        try (QemuNbdServer server = QemuNbdServer.builder(image).readOnly(true).start();
                NbdClient client = server.connect()) {
            assertThat(client.size()).isEqualTo(expected.length);
            assertThat(client.structuredReplies()).isTrue();
            assertThat(client.export().readOnly()).isTrue();
            // Pipelined 1 MiB reads over the whole export.
            List<CompletableFuture<ByteBuffer>> reads = new ArrayList<>();
            for (long off = 0; off < client.size(); off += MIB) {
                // Garbage in the buffers: holes must be written as zeroes, not skipped.
                ByteBuffer buf = ByteBuffer.allocateDirect(MIB);
                while (buf.hasRemaining()) {
                    buf.put((byte) 0xee);
                }
                reads.add(client.readAsync(off, buf.flip()));
            }
            byte[] got = new byte[expected.length];
            for (int i = 0; i < reads.size(); i++) {
                NbdClient.await(reads.get(i)).get(0, got, i * MIB, MIB);
            }
            assertThat(Arrays.equals(got, expected)).as("export equals qemu-img convert output").isTrue();
            assertThat(got[MIB]).isEqualTo((byte) 0x5a);
            // A read that straddles data and holes, at odd offsets.
            ByteBuffer mixed = client.read(MIB - 1000, 70_000);
            assertThat(Arrays.copyOfRange(mixed.array(), 0, 70_000))
                    .isEqualTo(Arrays.copyOfRange(expected, MIB - 1000, MIB - 1000 + 70_000));
        }
    }

    @Test
    void readsOverTcpToo() throws Exception {
        Path image = patternedImage();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (QemuNbdServer server = QemuNbdServer.builder(image).readOnly(true).tcp("127.0.0.1", port).start();
                NbdClient client = server.connect()) {
            assertThat(client.read(MIB, 4).array()).containsOnly(0x5a);
            assertThat(client.read(15 * MIB + MIB - 4, 4).array()).containsOnly(0x77);
        }
    }

    @Test
    void allocationMapEqualsNbdinfo() throws Exception {
        Path image = patternedImage();
        ImageTools.qemuIo(image, "write -z 8M 256k");
        try (QemuNbdServer server = QemuNbdServer.builder(image).readOnly(true).start()) {
            List<Extent> expected = ImageTools.nbdinfoMap(server.socket(), MetaContext.BASE_ALLOCATION);
            try (NbdClient client = server.connect(MetaContext.BASE_ALLOCATION)) {
                ExtentMap map = ExtentMap.query(client, MetaContext.BASE_ALLOCATION);
                assertThat(map.extents()).isEqualTo(ExtentMap.of(0, client.size(), expected).extents());
                // Data where qemu-io wrote, holes elsewhere.
                assertThat(map.bytesMatching(f -> (f & MetaContext.STATE_HOLE) == 0)).isGreaterThanOrEqualTo(
                        64 * 1024 + 4096 + 1536 + MIB);
                assertThat(map.extents().get(0)).isEqualTo(new Extent(0, MIB,
                        MetaContext.STATE_HOLE | MetaContext.STATE_ZERO));
            }
        }
    }

    @Test
    void dirtyBitmapShowsExactlyTheWrittenClusters() throws Exception {
        Path image = dir.resolve("dirty.qcow2");
        ImageTools.createQcow2(image, 16 * MIB);
        ImageTools.qemuIo(image, "write -P 0x01 0 2M"); // before the bitmap: clean
        Tools.run("qemu-img", "bitmap", "--add", "--granularity", "65536", image.toString(), "b1");
        ImageTools.qemuIo(image, "write -P 0x02 3M 4k", "write -z 5M 128k", "write -P 0x03 9437000 300");
        try (QemuNbdServer server = QemuNbdServer.builder(image).readOnly(true).bitmap("b1").start()) {
            String ctx = MetaContext.dirtyBitmap("b1");
            List<Extent> nbdinfo = ImageTools.nbdinfoMap(server.socket(), ctx);
            try (NbdClient client = server.connect(MetaContext.BASE_ALLOCATION, ctx)) {
                assertThat(client.metaContexts()).containsExactlyInAnyOrder(MetaContext.BASE_ALLOCATION, ctx);
                ExtentMap dirty = ExtentMap.query(client, ctx);
                List<Extent> dirtyExtents = dirty.matching(f -> (f & MetaContext.STATE_DIRTY) != 0);
                // 64 KiB granularity: every cluster touched by a write, nothing else.
                long k64 = 65536;
                long third = 9437000 / k64 * k64;
                assertThat(dirtyExtents).containsExactly(
                        new Extent(3 * MIB, k64, 1),
                        new Extent(5 * MIB, 2 * k64, 1),
                        new Extent(third, (9437000 + 300 + k64 - 1) / k64 * k64 - third, 1));
                assertThat(dirty.extents()).isEqualTo(ExtentMap.of(0, client.size(), nbdinfo).extents());
            }
        }
    }

    @Test
    void writeZeroAndFlushOnAWritableExport() throws Exception {
        Path image = dir.resolve("dst.qcow2");
        ImageTools.createQcow2(image, 4 * MIB);
        try (QemuNbdServer server = QemuNbdServer.builder(image).start();
                NbdClient client = server.connect()) {
            assertThat(client.export().readOnly()).isFalse();
            assertThat(client.export().canWriteZeroes()).isTrue();
            byte[] data = new byte[8192];
            Arrays.fill(data, (byte) 0x42);
            client.write(MIB, data);
            client.writeZeroes(MIB + 4096, 4096);
            client.flush();
            byte[] back = client.read(MIB, 8192).array();
            assertThat(Arrays.copyOfRange(back, 0, 4096)).containsOnly(0x42);
            assertThat(Arrays.copyOfRange(back, 4096, 8192)).containsOnly(0);
        }
        byte[] raw = ImageTools.rawContents(image, dir.resolve("dst.raw"));
        assertThat(Arrays.copyOfRange(raw, MIB, MIB + 4096)).containsOnly(0x42);
    }

    @Test
    void unknownExportIsNamedInTheError() throws Exception {
        Path image = patternedImage();
        try (QemuNbdServer server = QemuNbdServer.builder(image).readOnly(true).exportName("vda").start()) {
            assertThatThrownBy(() -> NbdClient.connect(server.address(), NbdConnectOptions.export("vdb")))
                    .isInstanceOfSatisfying(NbdException.class, e -> {
                        assertThat(e.kind()).isEqualTo(NbdException.Kind.OPTION_REFUSED);
                        assertThat(e.errorName()).isEqualTo("NBD_REP_ERR_UNKNOWN");
                    })
                    .hasMessageStartingWith("export 'vdb' not found");
            // The right name still works afterwards.
            try (NbdClient client = server.connect()) {
                assertThat(client.export().name()).isEqualTo("vda");
            }
        }
    }

    @Test
    void writesToAReadOnlyExportAreRefusedLocally() throws Exception {
        Path image = patternedImage();
        try (QemuNbdServer server = QemuNbdServer.builder(image).readOnly(true).start();
                NbdClient client = server.connect()) {
            assertThatThrownBy(() -> client.write(0, new byte[512])).isInstanceOf(NbdException.class)
                    .hasMessageContaining("read-only");
            assertThatThrownBy(() -> client.read(client.size() - 10, 20)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("outside export");
        }
    }

    @Test
    void killingTheServerFailsEveryRequestInFlight() throws Exception {
        Path image = dir.resolve("big.qcow2");
        ImageTools.createQcow2(image, 256L * MIB);
        ImageTools.qemuIo(image, "write -P 0x33 0 256M");
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (QemuNbdServer server = QemuNbdServer.builder(image).readOnly(true).start();
                    NbdClient client = NbdClient.connect(server.address(),
                            NbdConnectOptions.defaults().withTimeout(Duration.ofSeconds(10)))) {
                List<CompletableFuture<ByteBuffer>> reads = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    reads.add(client.readAsync((long) i * 4 * MIB, ByteBuffer.allocate(4 * MIB)));
                }
                server.kill();
                int failed = 0;
                for (CompletableFuture<ByteBuffer> r : reads) {
                    try {
                        NbdClient.await(r);
                    } catch (NbdException e) {
                        assertThat(e.kind()).isEqualTo(NbdException.Kind.CLOSED);
                        failed++;
                    }
                }
                assertThat(failed).as("reads cut off by the kill").isPositive();
                assertThatThrownBy(() -> client.read(0, 512)).isInstanceOf(NbdException.class);
            }
        });
    }
}
