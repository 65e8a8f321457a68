package io.backpoint.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.testing.Tools;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server against the real clients (nbdinfo, nbdcopy, qemu-img, qemu-io) and Backpoint's own. */
class NbdServerTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private final List<String> log = new CopyOnWriteArrayList<>();
    private byte[] diskA;
    private byte[] diskB;
    private BytesExport exportA;
    private NbdServer server;
    private Path socket;

    @BeforeEach
    void start() throws Exception {
        Tools.assumeOnPath("nbdinfo", "nbdcopy", "qemu-img");
        diskA = new byte[8 * MIB + 4096]; // not a multiple of the block: a short last block
        Random random = new Random(7);
        for (int at : new int[] {0, 3 * MIB + 512, 5 * MIB, 8 * MIB}) {
            byte[] island = new byte[70_000];
            random.nextBytes(island);
            System.arraycopy(island, 0, diskA, at, Math.min(island.length, diskA.length - at));
        }
        diskB = new byte[2 * MIB];
        Arrays.fill(diskB, (byte) 0x5a);
        exportA = new BytesExport("vda", diskA, 64 << 10);
        socket = dir.resolve("nbd.sock");
        server = NbdServer.start(NbdEndpoint.unix(socket), List.of(exportA, new BytesExport("vdb", diskB, 64 << 10)),
                log::add);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String uri(String export) {
        return server.endpoint().uri(export);
    }

    @Test
    void nbdinfoSeesSizeExportsAndFlags() throws Exception {
        assertThat(Files.getPosixFilePermissions(socket)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(Tools.run("nbdinfo", "--size", uri("vda")).trim()).isEqualTo(Long.toString(diskA.length));
        assertThat(Tools.run("nbdinfo", "--size", uri("vdb")).trim()).isEqualTo(Long.toString(diskB.length));
        String list = Tools.run("nbdinfo", "--list", "--json", "nbd+unix:///?socket=" + socket);
        assertThat(list).contains("\"export-name\": \"vda\"").contains("\"export-name\": \"vdb\"")
                .contains("test export vdb");
        String info = Tools.run("nbdinfo", "--json", uri("vda"));
        assertThat(info).contains("\"is_read_only\": true").contains("\"can_multi_conn\": true")
                .contains("\"base:allocation\"");
    }

    @Test
    void nbdinfoMapMatchesTheAllocation() throws Exception {
        String json = Tools.run("nbdinfo", "--map", "--json", uri("vda"));
        List<Extent> served = new ArrayList<>();
        for (Map<String, String> o : ImageTools.jsonObjects(json)) {
            served.add(new Extent(Long.parseLong(o.get("offset")), Long.parseLong(o.get("length")),
                    Integer.parseInt(o.get("type"))));
        }
        assertThat(served).isEqualTo(exportA.allocation(0, diskA.length));
        assertThat(served).anyMatch(e -> e.flags() == 3).anyMatch(e -> e.flags() == 0);
    }

    @Test
    void nbdcopyAndQemuImgCopyTheExportExactly() throws Exception {
        Path expected = dir.resolve("expected.raw");
        Files.write(expected, diskA);
        Path viaNbdcopy = dir.resolve("nbdcopy.raw");
        Tools.run("nbdcopy", uri("vda"), viaNbdcopy.toString());
        assertThat(Files.readAllBytes(viaNbdcopy)).isEqualTo(diskA);
        Path viaQemu = dir.resolve("qemu.qcow2");
        Tools.run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", uri("vda"), viaQemu.toString());
        Tools.run("qemu-img", "compare", "-f", "raw", "-F", "qcow2", expected.toString(), viaQemu.toString());
        // Holes stay holes: the copy holds about the data islands, not the whole disk.
        assertThat(Files.size(viaQemu)).isLessThan(diskA.length / 2);
    }

    @Test
    void ownClientReadsWithManyRequestsInFlightOnTwoConnections() throws Exception {
        try (NbdClient a = NbdClient.connectUnix(socket, NbdConnectOptions.export("vda")
                .withMetaContexts(MetaContext.BASE_ALLOCATION));
                NbdClient b = NbdClient.connectUnix(socket, NbdConnectOptions.export("vdb"))) {
            assertThat(a.export().readOnly()).isTrue();
            assertThat(a.export().canMultiConn()).isTrue();
            List<CompletableFuture<ByteBuffer>> reads = new ArrayList<>();
            List<Long> offsets = new ArrayList<>();
            Random random = new Random(1);
            for (int i = 0; i < 64; i++) {
                long off = random.nextInt(diskA.length - 100_000);
                offsets.add(off);
                reads.add(a.readAsync(off, ByteBuffer.allocate(1 + random.nextInt(99_999))));
                reads.add(b.readAsync(i * 4096L, ByteBuffer.allocate(4096)));
            }
            for (int i = 0; i < 64; i++) {
                ByteBuffer got = NbdClient.await(reads.get(2 * i));
                long off = offsets.get(i);
                assertThat(Arrays.copyOfRange(got.array(), 0, got.capacity()))
                        .isEqualTo(Arrays.copyOfRange(diskA, (int) off, (int) off + got.capacity()));
                assertThat(NbdClient.await(reads.get(2 * i + 1)).array()).containsOnly((byte) 0x5a);
            }
            assertThat(a.blockStatus(MetaContext.BASE_ALLOCATION, 0, diskA.length))
                    .isEqualTo(exportA.allocation(0, diskA.length));
        }
    }

    @Test
    void writesAreRefusedWithEperm() throws Exception {
        byte[] before = diskA.clone();
        try (RawClient raw = new RawClient(socket)) {
            raw.go("vda");
            raw.request(NbdProtocol.CMD_WRITE, 11, 0, 4096, new byte[4096]);
            RawClient.Reply reply = raw.reply();
            assertThat(reply.cookie()).isEqualTo(11);
            assertThat(reply.type()).isEqualTo(NbdProtocol.REPLY_TYPE_ERROR);
            assertThat(reply.error()).isEqualTo(NbdError.EPERM.code());
            raw.request(NbdProtocol.CMD_TRIM, 12, 0, 4096, new byte[0]);
            assertThat(raw.reply().error()).isEqualTo(NbdError.EPERM.code());
            // still in step after the write payload: a read answers with the right bytes
            raw.request(NbdProtocol.CMD_READ, 13, 0, 16, new byte[0]);
            RawClient.Reply data = raw.reply();
            assertThat(data.type()).isEqualTo(NbdProtocol.REPLY_TYPE_OFFSET_DATA);
            assertThat(Arrays.copyOfRange(data.payload(), 8, 24)).isEqualTo(Arrays.copyOf(diskA, 16));
        }
        String out = Tools.run("sh", "-c", "qemu-io -f raw -c 'write -P 1 0 4k' '" + uri("vda") + "' 2>&1 || true");
        assertThat(out.toLowerCase()).containsAnyOf("read-only", "permission", "not permitted");
        // Neither the refused write's payload nor qemu-io's write reached the export's bytes.
        assertThat(diskA).isEqualTo(before);
        try (NbdClient client = NbdClient.connectUnix(socket, NbdConnectOptions.export("vda"))) {
            assertThat(client.read(0, 1 << 20).array()).isEqualTo(Arrays.copyOf(before, 1 << 20));
        }
    }

    @Test
    void dontFragmentAndMetaContextsOnlyAfterStructuredReplies() throws Exception {
        byte[] name = "vda".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] info = java.nio.ByteBuffer.allocate(6 + name.length).putInt(name.length).put(name).putShort((short) 0).array();
        byte[] list = java.nio.ByteBuffer.allocate(8 + name.length).putInt(name.length).put(name).putInt(0).array();
        try (RawClient raw = new RawClient(socket)) {
            assertThat(raw.option(NbdProtocol.OPT_LIST_META_CONTEXT, list).type()).isEqualTo(NbdProtocol.REP_ERR_INVALID);
            assertThat(exportFlags(raw, info) & NbdProtocol.TFLAG_SEND_DF).as("DF without structured replies").isZero();
            assertThat(raw.option(NbdProtocol.OPT_STRUCTURED_REPLY, new byte[0]).type()).isEqualTo(NbdProtocol.REP_ACK);
            assertThat(exportFlags(raw, info) & NbdProtocol.TFLAG_SEND_DF).as("DF with structured replies").isNotZero();
            RawClient.OptionReply r = raw.option(NbdProtocol.OPT_LIST_META_CONTEXT, list);
            assertThat(r.type()).isEqualTo(NbdProtocol.REP_META_CONTEXT);
        }
    }

    @Test
    void dontFragmentGetsOneDataChunkWithTheHoleAsZeros() throws Exception {
        // [0, 256 KiB) of vda: data, data, then a zero block: a plain structured read splits it
        // into data and hole chunks; with NBD_CMD_FLAG_DF the whole range is one OFFSET_DATA.
        int length = 256 << 10;
        try (RawClient raw = new RawClient(socket)) {
            raw.go("vda");
            raw.request(NbdProtocol.CMD_READ, 1, 0, length, new byte[0]);
            List<RawClient.Reply> plain = new ArrayList<>();
            do {
                plain.add(raw.reply());
            } while ((plain.get(plain.size() - 1).flags() & NbdProtocol.REPLY_FLAG_DONE) == 0);
            assertThat(plain).extracting(RawClient.Reply::type).contains(NbdProtocol.REPLY_TYPE_OFFSET_HOLE);

            raw.request(NbdProtocol.CMD_FLAG_DF, NbdProtocol.CMD_READ, 2, 0, length, new byte[0]);
            RawClient.Reply whole = raw.reply();
            assertThat(whole.cookie()).isEqualTo(2);
            assertThat(whole.type()).isEqualTo(NbdProtocol.REPLY_TYPE_OFFSET_DATA);
            assertThat(whole.flags() & NbdProtocol.REPLY_FLAG_DONE).as("the only chunk").isNotZero();
            ByteBuffer payload = ByteBuffer.wrap(whole.payload());
            assertThat(payload.getLong()).isZero();
            byte[] data = new byte[payload.remaining()];
            payload.get(data);
            assertThat(data).isEqualTo(Arrays.copyOf(diskA, length));
        }
    }

    /** NBD_OPT_INFO: the transmission flags of NBD_INFO_EXPORT, reading every reply up to the ACK. */
    private static int exportFlags(RawClient raw, byte[] info) throws java.io.IOException {
        RawClient.OptionReply r = raw.option(NbdProtocol.OPT_INFO, info);
        int flags = -1;
        while (r.type() == NbdProtocol.REP_INFO) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(r.data());
            if (b.getShort() == NbdProtocol.INFO_EXPORT) {
                b.getLong();
                flags = b.getShort() & 0xffff;
            }
            r = raw.readOptionReply();
        }
        assertThat(r.type()).isEqualTo(NbdProtocol.REP_ACK);
        assertThat(flags).as("NBD_INFO_EXPORT sent").isNotNegative();
        return flags;
    }

    @Test
    void readPastTheEndIsEinvalAndBadOptionsGetOptionErrors() throws Exception {
        try (RawClient raw = new RawClient(socket)) {
            assertThat(raw.option(99, new byte[] {1, 2, 3}).type()).isEqualTo(NbdProtocol.REP_ERR_UNSUP);
            assertThat(raw.option(NbdProtocol.OPT_STRUCTURED_REPLY, new byte[] {1}).type())
                    .isEqualTo(NbdProtocol.REP_ERR_INVALID);
            assertThat(raw.option(NbdProtocol.OPT_GO, new byte[] {0, 0}).type())
                    .isEqualTo(NbdProtocol.REP_ERR_INVALID);
            assertThat(raw.option(NbdProtocol.OPT_STARTTLS, new byte[0]).type() & NbdProtocol.REP_ERR_BIT).isNotZero();
            raw.go("vdb");
            raw.request(NbdProtocol.CMD_READ, 21, diskB.length - 10, 20, new byte[0]);
            assertThat(raw.reply().error()).isEqualTo(NbdError.EINVAL.code());
            raw.request(NbdProtocol.CMD_READ, 22, 0, (32 << 20) + 1, new byte[0]);
            assertThat(raw.reply().error()).isEqualTo(NbdError.EINVAL.code());
            raw.request(NbdProtocol.CMD_BLOCK_STATUS, 23, 0, 4096, new byte[0]);
            assertThat(raw.reply().error()).as("block status without a context").isEqualTo(NbdError.EINVAL.code());
            raw.request(42, 24, 0, 0, new byte[0]);
            assertThat(raw.reply().error()).isEqualTo(NbdError.EINVAL.code());
            raw.request(NbdProtocol.CMD_DISC, 25, 0, 0, new byte[0]);
            assertThat(raw.closedByServer()).isTrue();
        }
        try (NbdClient client = NbdClient.connectUnix(socket, NbdConnectOptions.export("vdb"))) {
            assertThat(client.read(diskB.length - 10, 10).array()).containsOnly((byte) 0x5a);
        }
        assertThatThrownBy(() -> NbdClient.connectUnix(socket, NbdConnectOptions.export("nope")))
                .isInstanceOfSatisfying(NbdException.class,
                        e -> assertThat(e.kind()).isEqualTo(NbdException.Kind.OPTION_REFUSED))
                .hasMessageContaining("nope");
        try (RawClient raw = new RawClient(socket)) {
            assertThat(raw.option(NbdProtocol.OPT_ABORT, new byte[0]).type()).isEqualTo(NbdProtocol.REP_ACK);
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    @Test
    void aFailingReadIsEioNeverData() throws Exception {
        exportA.failFrom = 5 * MIB;
        exportA.failTo = 5 * MIB + 1;
        try (NbdClient client = NbdClient.connectUnix(socket, NbdConnectOptions.export("vda"))) {
            assertThatThrownBy(() -> client.read(5 * MIB - 100, 4096))
                    .isInstanceOfSatisfying(NbdException.class, e -> assertThat(e.error()).isEqualTo(NbdError.EIO));
            assertThat(client.read(0, 4096).array()).isEqualTo(Arrays.copyOf(diskA, 4096));
        }
        assertThat(log).anyMatch(l -> l.contains("simulated damage"));
        Path out = dir.resolve("copy.raw");
        assertThat(Tools.status("nbdcopy", uri("vda"), out.toString())).isNotZero();
    }

    @Test
    void closeRemovesTheSocketAndRefusesAnExistingOne() throws Exception {
        assertThatThrownBy(() -> NbdServer.start(NbdEndpoint.unix(socket), List.of(exportA), log::add))
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        server.close();
        assertThat(socket).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("."))).isEmpty();
        }
    }
}
