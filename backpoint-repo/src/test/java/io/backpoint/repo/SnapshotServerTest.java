package io.backpoint.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.nbd.Extent;
import io.backpoint.nbd.MetaContext;
import io.backpoint.nbd.NbdClient;
import io.backpoint.nbd.NbdConnectOptions;
import io.backpoint.nbd.NbdEndpoint;
import io.backpoint.nbd.NbdError;
import io.backpoint.nbd.NbdException;
import io.backpoint.repo.storage.DirectoryStore;
import io.backpoint.repo.storage.ObjectStore;
import io.backpoint.testing.Tools;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot served over NBD, read by nbdinfo, nbdcopy, qemu-img and our client, against restore;
 * on a directory here, on S3 in {@link S3SnapshotServerTest}.
 */
class SnapshotServerTest {
    private static final int CHUNK = 64 << 10;

    @TempDir
    Path dir;

    private final List<String> log = new CopyOnWriteArrayList<>();
    private CountingStore counting;
    private Repository repository;
    private Snapshot snapshot;
    private byte[] vda;
    private byte[] vdb;

    @BeforeEach
    void backUp() throws Exception {
        Tools.assumeOnPath("nbdinfo", "nbdcopy", "qemu-img");
        counting = new CountingStore(newStore(dir.resolve("repo")));
        ObjectStore store = counting;
        Repository.init(store, CHUNK, Compression.ZSTD);
        repository = Repository.open(store,
                new Repository.Options(Duration.ofMinutes(2), Duration.ofSeconds(30), Duration.ofMillis(300)));
        // Zero chunks, compressible and random chunks, and a short last chunk.
        vda = Disks.sparse(3, 40 * CHUNK + 12288);
        byte[] random = Disks.random(4, 5 * CHUNK);
        System.arraycopy(random, 0, vda, 10 * CHUNK + 100, random.length);
        Arrays.fill(vda, 30 * CHUNK, 32 * CHUNK, (byte) 0x3c);
        vdb = Disks.random(5, 8 * CHUNK);
        try (SnapshotWriter writer = repository.newSnapshot("vm1", "<domain><name>vm1</name></domain>",
                Instant.parse("2026-03-01T00:00:00Z"))) {
            Disks.put(writer.disk("vda", vda.length, DiskMode.FULL, "test", Optional.empty()), vda);
            Disks.put(writer.disk("vdb", vdb.length, DiskMode.FULL, "test", Optional.empty()), vdb);
            writer.checkpoint("cp1", "<domaincheckpoint/>");
            snapshot = writer.commit();
        }
    }

    /** The store the repository lives in: a directory here, S3 in {@link S3SnapshotServerTest}. */
    ObjectStore newStore(Path root) throws java.io.IOException {
        DirectoryStore store = new DirectoryStore(root);
        store.createRoot(); // init does it only for a DirectoryStore it sees, not inside CountingStore
        return store;
    }

    private SnapshotServer serve(long cache) {
        return SnapshotServer.start(repository, snapshot, List.of(), NbdEndpoint.unix(dir.resolve("serve.sock")), cache,
                false, log::add);
    }

    @Test
    void everyClientReadsWhatRestoreWrites() throws Exception {
        Restore restore = new Restore(repository);
        try (SnapshotServer server = serve(SnapshotServer.DEFAULT_CACHE_BYTES)) {
            assertThat(server.exports()).containsExactly("vda", "vdb");
            String list = Tools.run("nbdinfo", "--list", "--json", "nbd+unix:///?socket=" + server.endpoint().socket());
            assertThat(list).contains("\"export-name\": \"vda\"").contains("\"export-name\": \"vdb\"");
            for (String disk : List.of("vda", "vdb")) {
                Path restored = dir.resolve(disk + ".restored.raw");
                restore.disk(snapshot, disk, restored, "raw");
                assertThat(Tools.run("nbdinfo", "--size", server.uri(disk)).trim())
                        .isEqualTo(Long.toString(Files.size(restored)));
                Path copied = dir.resolve(disk + ".nbdcopy.raw");
                Tools.run("nbdcopy", server.uri(disk), copied.toString());
                Tools.run("qemu-img", "compare", "-f", "raw", "-F", "raw", restored.toString(), copied.toString());
                Path converted = dir.resolve(disk + ".qcow2");
                Tools.run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", server.uri(disk), converted.toString());
                Tools.run("qemu-img", "compare", "-f", "raw", "-F", "qcow2", restored.toString(), converted.toString());
                assertThat(Files.readAllBytes(copied)).isEqualTo(disk.equals("vda") ? vda : vdb);
            }
        }
        assertThat(dir.resolve("serve.sock")).doesNotExist();
    }

    @Test
    void nbdinfoMapShowsZeroChunksAsHoles() throws Exception {
        try (SnapshotServer server = serve(0)) {
            String json = Tools.run("nbdinfo", "--map", "--json", server.uri("vda"));
            List<Extent> map = new ArrayList<>();
            Matcher m = Pattern.compile("\"offset\":\\s*(\\d+),\\s*\"length\":\\s*(\\d+),\\s*\"type\":\\s*(\\d+)")
                    .matcher(json);
            while (m.find()) {
                map.add(new Extent(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Integer.parseInt(m.group(3))));
            }
            DiskIndex index = snapshot.disk("vda").orElseThrow();
            List<Extent> expected = new ArrayList<>();
            for (int i = 0; i < index.chunks().size(); i++) {
                int flags = index.chunks().get(i) == null ? MetaContext.STATE_HOLE | MetaContext.STATE_ZERO : 0;
                Extent.append(expected, (long) i * CHUNK, index.chunkLength(i), flags);
            }
            assertThat(map).isEqualTo(expected);
            assertThat(map).anyMatch(e -> e.flags() == 3).anyMatch(e -> e.flags() == 0);
        }
    }

    @Test
    void twoClientsWithManyReadsInFlightAndTheCacheFetchesEachChunkOnce() throws Exception {
        try (SnapshotServer server = serve(SnapshotServer.DEFAULT_CACHE_BYTES);
                NbdClient a = NbdClient.connectUnix(server.endpoint().socket(), NbdConnectOptions.export("vda"));
                NbdClient b = NbdClient.connectUnix(server.endpoint().socket(), NbdConnectOptions.export("vda"))) {
            counting.gets.clear();
            Random random = new Random(9);
            List<CompletableFuture<ByteBuffer>> reads = new ArrayList<>();
            List<Integer> offsets = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int len = 1 + random.nextInt(3 * CHUNK);
                int off = random.nextInt(vda.length - len);
                offsets.add(off);
                reads.add((i % 2 == 0 ? a : b).readAsync(off, ByteBuffer.allocate(len)));
            }
            for (int i = 0; i < reads.size(); i++) {
                ByteBuffer got = NbdClient.await(reads.get(i));
                int off = offsets.get(i);
                assertThat(got.array()).isEqualTo(Arrays.copyOfRange(vda, off, off + got.capacity()));
            }
            long stored = snapshot.disk("vda").orElseThrow().chunks().stream().filter(c -> c != null).distinct().count();
            assertThat(counting.chunkGets()).as("every chunk fetched once, then served from the cache").isEqualTo(stored);
        }
    }

    @Test
    void aDamagedChunkIsAnEioAndIsNamedNeverWrongData() throws Exception {
        String id = snapshot.disk("vda").orElseThrow().chunks().get(12);
        byte[] stored = repository.store().get(Layout.chunk(id)).orElseThrow();
        stored[stored.length - 1] ^= 1;
        repository.store().put(Layout.chunk(id), stored);
        try (SnapshotServer server = serve(SnapshotServer.DEFAULT_CACHE_BYTES);
                NbdClient client = NbdClient.connectUnix(server.endpoint().socket(), NbdConnectOptions.export("vda"))) {
            assertThatThrownBy(() -> client.read(12L * CHUNK + 1000, 4096))
                    .isInstanceOfSatisfying(NbdException.class, e -> assertThat(e.error()).isEqualTo(NbdError.EIO));
            // twice: a damaged chunk is not cached as good
            assertThatThrownBy(() -> client.read(11L * CHUNK, 2 * CHUNK)).isInstanceOf(NbdException.class);
            assertThat(client.read(11L * CHUNK, 4096).array()).isEqualTo(Arrays.copyOfRange(vda, 11 * CHUNK, 11 * CHUNK + 4096));
            assertThat(log).anyMatch(l -> l.contains(id) && l.contains("vda"));
            assertThat(Tools.status("nbdcopy", server.uri("vda"), dir.resolve("out.raw").toString())).isNotZero();
        }
    }

    @Test
    void gcWaitsWhileASnapshotIsServedAndRunsAfter() {
        try (SnapshotServer server = serve(0)) {
            assertThatThrownBy(() -> new GarbageCollector(repository).run())
                    .isInstanceOfSatisfying(BackpointException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_BUSY))
                    .hasMessageContaining("serve of snapshot " + snapshot.id());
        }
        assertThat(new GarbageCollector(repository).run().chunksDeleted()).isZero();
    }

    @Test
    void refusesANonLoopbackAddressAnUnknownDiskAndAnExistingSocket() throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0);
        assertThatThrownBy(() -> SnapshotServer.start(repository, snapshot, List.of(), NbdEndpoint.tcp(any), 0, false,
                log::add)).isInstanceOf(BackpointException.class).hasMessageContaining("not a loopback address");
        assertThatThrownBy(() -> SnapshotServer.start(repository, snapshot, List.of("vdz"),
                NbdEndpoint.unix(dir.resolve("x.sock")), 0, false, log::add))
                .isInstanceOf(BackpointException.class).hasMessageContaining("no disk 'vdz'");
        Files.writeString(dir.resolve("taken.sock"), "");
        assertThatThrownBy(() -> SnapshotServer.start(repository, snapshot, List.of(),
                NbdEndpoint.unix(dir.resolve("taken.sock")), 0, false, log::add))
                .isInstanceOf(BackpointException.class).hasMessageContaining("already exists");
        // none of the refusals left a lease behind: gc runs at once
        new GarbageCollector(repository).run();
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (SnapshotServer server = SnapshotServer.start(repository, snapshot, List.of("vdb"),
                NbdEndpoint.tcp(loopback), 0, false, log::add)) {
            assertThat(server.exports()).containsExactly("vdb");
            assertThat(server.uri("vdb")).startsWith("nbd://127.0.0.1:");
            Path copied = dir.resolve("tcp.raw");
            Tools.run("nbdcopy", server.uri("vdb"), copied.toString());
            assertThat(Files.readAllBytes(copied)).isEqualTo(vdb);
        }
    }
}
