package io.backpoint.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.error.BackpointException;
import io.backpoint.repo.storage.ObjectInfo;
import io.backpoint.repo.storage.ObjectStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The repository's behaviour over any storage backend: a backend's test class extends this and
 * says how to make an empty store. Damage is done through the seam too, so it applies to all.
 */
abstract class RepositoryContract {
    static final int CHUNK = 64 << 10;
    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");

    @TempDir
    Path tmp;
    ObjectStore store;
    Repository repository;

    /** A new, empty store of the backend under test. */
    abstract ObjectStore newStore(Path scratch) throws IOException;

    /** What a repository is created in on this backend, as messages name it. */
    String container() {
        return "directory";
    }

    @BeforeEach
    void createRepository() throws IOException {
        store = newStore(tmp.resolve("repo"));
        Repository.init(store, CHUNK, Compression.ZSTD);
        repository = Repository.open(store, new Repository.Options(Duration.ofSeconds(2), Duration.ofSeconds(30),
                Duration.ofSeconds(30)));
    }

    @AfterEach
    void closeRepository() {
        repository.close();
    }

    @ParameterizedTest(name = "{0} disk of {1} bytes")
    @CsvSource({
        "random, 0", "random, 1", "random, 65536", "random, 65537", "random, 1000000", "random, 1048576",
        "sparse, 65536", "sparse, 999999", "sparse, 4194304", "zero, 65536", "zero, 3000000"})
    void roundTrip(String kind, int size) throws Exception {
        byte[] data = switch (kind) {
            case "random" -> Disks.random(size, size);
            case "sparse" -> Disks.sparse(size, size);
            default -> new byte[size];
        };
        Snapshot written = Disks.write(repository, "vm1", T0, "vda", data);
        Snapshot read = repository.snapshot(written.id());
        assertThat(read).isEqualTo(written);
        Path out = tmp.resolve("out.raw");
        new Restore(repository).disk(read, "vda", out, "raw");
        assertThat(Files.size(out)).isEqualTo(size);
        assertThat(Disks.sha256(out)).isEqualTo(Disks.sha256(data));
        assertThat(Files.getPosixFilePermissions(out))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        if (!kind.equals("random")) {
            // holes stay holes: at most the non-zero 4 KiB islands (and their neighbours) are allocated
            assertThat(Disks.allocatedBytes(out)).isLessThanOrEqualTo(8L * 3 * 4096);
        }
        if (kind.equals("zero")) {
            assertThat(chunks()).isEmpty();
            assertThat(read.disks().get(0).bytesStored()).isZero();
        }
        assertThat(new Verify(repository).run(List.of()).ok()).isTrue();
    }

    @Test
    void restoresQcow2() throws Exception {
        byte[] data = Disks.sparse(7, 3 * CHUNK + 512);
        Snapshot s = Disks.write(repository, "vm1", T0, "vda", data);
        Path out = tmp.resolve("out.qcow2");
        new Restore(repository).disk(s, "vda", out, "qcow2");
        Path raw = tmp.resolve("back.raw");
        Process p = new ProcessBuilder("qemu-img", "convert", "-f", "qcow2", "-O", "raw", out.toString(), raw.toString())
                .inheritIO().start();
        assertThat(p.waitFor()).isZero();
        assertThat(Disks.sha256(raw)).isEqualTo(Disks.sha256(data));
        assertThat(Disks.filesIn(tmp)).allMatch(f -> !f.getFileName().toString().startsWith("."));
        Snapshot odd = Disks.write(repository, "vm1", T0.plusSeconds(1), "vda", Disks.random(1, 1000));
        assertThatThrownBy(() -> new Restore(repository).disk(odd, "vda", tmp.resolve("odd.qcow2"), "qcow2"))
                .isInstanceOf(BackpointException.class).hasMessageContaining("restore it as raw");
    }

    @Test
    void latestIsTheNewestByTimeEvenWithinOneSecond() throws Exception {
        // Ids carry whole seconds and a random part; ten snapshots in one second must still be
        // ordered by their millisecond times, whatever the random parts say.
        Snapshot last = null;
        for (int i = 0; i < 10; i++) {
            last = Disks.write(repository, "vm1", T0.plusMillis(10 + 90 * i), "vda", Disks.random(i, 100));
        }
        Disks.write(repository, "vm2", T0.plusMillis(950), "vda", Disks.random(99, 100));
        assertThat(repository.latest("vm1").orElseThrow().id()).isEqualTo(last.id());
        assertThat(repository.snapshot("vm1:latest").id()).isEqualTo(last.id());
        assertThat(repository.snapshot("latest").domain()).isEqualTo("vm2");
    }

    @Test
    void incrementalTakesUnwrittenChunksFromTheBase() throws Exception {
        byte[] first = Disks.random(1, 10 * CHUNK + 5);
        Snapshot base = Disks.write(repository, "vm1", T0, "vda", first);
        byte[] second = first.clone();
        Arrays.fill(second, 3 * CHUNK, 4 * CHUNK, (byte) 0x5a);
        Arrays.fill(second, 10 * CHUNK, second.length, (byte) 0); // last partial chunk zeroed
        Snapshot inc;
        try (SnapshotWriter writer = repository.newSnapshot("vm1", null, T0.plusSeconds(60))) {
            Snapshot latest = repository.latest("vm1").orElseThrow();
            assertThat(latest.id()).isEqualTo(base.id());
            DiskWriter disk = writer.disk("vda", second.length, DiskMode.INCREMENTAL, null, latest.disk("vda"));
            assertThat(disk.put(3, ByteBuffer.wrap(second, 3 * CHUNK, CHUNK))).isPositive();
            assertThat(disk.put(10, ByteBuffer.wrap(second, 10 * CHUNK, 5))).isZero();
            inc = writer.commit();
        }
        assertThat(inc.disks().get(0).bytesRead()).isEqualTo(CHUNK + 5);
        assertThat(inc.disks().get(0).mode()).isEqualTo(DiskMode.INCREMENTAL);
        Path out = tmp.resolve("inc.raw");
        new Restore(repository).disk(repository.snapshot("vm1:latest"), "vda", out, "raw");
        assertThat(Disks.sha256(out)).isEqualTo(Disks.sha256(second));
        Path old = tmp.resolve("base.raw");
        new Restore(repository).disk(repository.snapshot(base.id()), "vda", old, "raw");
        assertThat(Disks.sha256(old)).isEqualTo(Disks.sha256(first));
    }

    @Test
    void latestReadsOnlyTheNewestSecondsManifests() throws Exception {
        byte[] data = Disks.random(4, 2 * CHUNK);
        for (int i = 0; i < 12; i++) {
            Disks.write(repository, "vm1", T0.plusSeconds(60 * i), "vda", data);
        }
        // Three in one second: ids carry seconds and a random suffix, so only the time orders them.
        Instant second = T0.plusSeconds(3600);
        Disks.write(repository, "vm1", second.plusMillis(100), "vda", data);
        Snapshot newest = Disks.write(repository, "vm1", second.plusMillis(900), "vda", data);
        Snapshot middle = Disks.write(repository, "vm1", second.plusMillis(500), "vda", data);
        Disks.write(repository, "vm2", second.plusSeconds(60), "vda", data);
        CountingStore counting = new CountingStore(store);
        try (Repository reader = Repository.open(counting)) {
            assertThat(reader.latest("vm1").orElseThrow().id()).isEqualTo(newest.id())
                    .isEqualTo(repository.snapshots("vm1").get(14).id());
            // A backup asks this before every run: it must not read every manifest of the domain.
            assertThat(counting.gets).filteredOn(k -> k.startsWith("snapshots/")).hasSize(3);
            store.put(Layout.manifest("vm1", newest.id()), "{".getBytes());
            assertThat(reader.latest("vm1").orElseThrow().id()).as("a damaged newest one is skipped").isEqualTo(middle.id());
            store.delete(Layout.manifest("vm1", middle.id()));
            store.delete(Layout.manifest("vm1", newest.id()));
            assertThat(reader.latest("vm1").orElseThrow().time()).isEqualTo(second.plusMillis(100));
        }
    }

    @Test
    void deduplicatesAcrossSnapshotsDisksAndDomains() throws Exception {
        byte[] data = Disks.random(3, 8 * CHUNK);
        Snapshot a = Disks.write(repository, "vm1", T0, "vda", data);
        long stored = storedBytes();
        assertThat(a.disks().get(0).bytesStored()).isEqualTo(stored).isPositive();
        assertThat(chunks()).hasSize(8);
        Snapshot b = Disks.write(repository, "vm1", T0.plusSeconds(1), "vda", data);
        Snapshot c = Disks.write(repository, "vm2", T0.plusSeconds(2), "vdb", data);
        byte[] half = data.clone();
        Arrays.fill(half, 0, 4 * CHUNK, (byte) 1); // 4 chunks, all the same
        Snapshot d = Disks.write(repository, "vm3", T0.plusSeconds(3), "vda", half);
        assertThat(b.disks().get(0).bytesStored()).isZero();
        assertThat(c.disks().get(0).bytesStored()).isZero();
        assertThat(chunks()).hasSize(9);
        assertThat(d.disks().get(0).bytesStored()).isEqualTo(storedBytes() - stored);
        assertThat(repository.snapshots(null)).extracting(Snapshot::domain).containsExactly("vm1", "vm1", "vm2", "vm3");
        assertThat(repository.snapshots("vm1")).extracting(Snapshot::id).containsExactly(a.id(), b.id());
    }

    @Test
    void compressesOnlyWhenItSavesSpace() throws Exception {
        byte[] text = new byte[4 * CHUNK];
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) "backpoint ".charAt(i % 10);
        }
        Snapshot s = Disks.write(repository, "vm1", T0, "vda", text);
        assertThat(s.disks().get(0).bytesStored()).isLessThan(CHUNK / 10);
        Snapshot r = Disks.write(repository, "vm1", T0.plusSeconds(1), "vda", Disks.random(9, CHUNK));
        assertThat(r.disks().get(0).bytesStored()).isEqualTo(CHUNK + ChunkCodec.HEADER);
        // a flipped byte in a compressed chunk is caught too
        String compressed = s.disks().get(0).chunks().get(0);
        byte[] stored = store.get(Layout.chunk(compressed)).orElseThrow();
        stored[stored.length - 1] ^= 0x40;
        store.put(Layout.chunk(compressed), stored);
        Verify.Report report = new Verify(repository).run(List.of());
        assertThat(report.damagedChunks()).extracting(Verify.DamagedChunk::id).containsExactly(compressed);
        assertThat(report.brokenSnapshots()).containsExactly(s.id());
    }

    @Test
    void damageIsNamedAndOnlyBreaksTheSnapshotsThatUseIt() throws Exception {
        byte[] shared = Disks.random(10, 4 * CHUNK);
        Snapshot good = Disks.write(repository, "vm1", T0, "vda", shared);
        byte[] flipData = shared.clone();
        flipData[5 * 7] ^= 1;  // chunk 0 differs: a chunk of its own
        Snapshot flipped = Disks.write(repository, "vm1", T0.plusSeconds(1), "vda", flipData);
        byte[] goneData = shared.clone();
        goneData[CHUNK + 3] ^= 1;  // chunk 1 differs
        Snapshot gone = Disks.write(repository, "vm2", T0.plusSeconds(2), "vda", goneData);
        Snapshot truncated = Disks.write(repository, "vm3", T0.plusSeconds(3), "vda", shared);

        String flippedChunk = flipped.disks().get(0).chunks().get(0);
        String goneChunk = gone.disks().get(0).chunks().get(1);
        byte[] stored = store.get(Layout.chunk(flippedChunk)).orElseThrow();
        stored[stored.length / 2] ^= 0x10;
        store.put(Layout.chunk(flippedChunk), stored);
        store.delete(Layout.chunk(goneChunk));
        String manifest = Layout.manifest("vm3", truncated.id());
        byte[] content = store.get(manifest).orElseThrow();
        store.put(manifest, Arrays.copyOf(content, content.length / 2));

        Verify.Report report = new Verify(repository).run(List.of());
        assertThat(report.ok()).isFalse();
        assertThat(report.damagedChunks()).extracting(Verify.DamagedChunk::id)
                .containsExactlyInAnyOrder(flippedChunk, goneChunk);
        assertThat(report.damagedChunks()).filteredOn(c -> c.id().equals(goneChunk))
                .singleElement().satisfies(c -> {
                    assertThat(c.problem()).isEqualTo("is missing");
                    assertThat(c.snapshots()).containsExactly(gone.id());
                });
        assertThat(report.damagedChunks()).filteredOn(c -> c.id().equals(flippedChunk))
                .singleElement().satisfies(c -> assertThat(c.snapshots()).containsExactly(flipped.id()));
        assertThat(report.damagedManifests()).singleElement()
                .satisfies(m -> assertThat(m.snapshot()).isEqualTo(truncated.id()));
        assertThat(report.brokenSnapshots()).containsExactlyInAnyOrder(flipped.id(), gone.id(), truncated.id());
        assertThat(new Verify(repository).run(List.of(good.id())).ok()).isTrue();

        Path dir = Files.createDirectory(tmp.resolve("out"));
        Restore restore = new Restore(repository);
        assertThatThrownBy(() -> restore.disk(flipped, "vda", dir.resolve("f.raw"), "raw"))
                .isInstanceOf(BackpointException.class).hasMessageContaining(flippedChunk)
                .hasMessageContaining("does not match its hash");
        assertThatThrownBy(() -> restore.disk(gone, "vda", dir.resolve("g.raw"), "qcow2"))
                .isInstanceOf(BackpointException.class).hasMessageContaining(goneChunk).hasMessageContaining("missing");
        assertThatThrownBy(() -> repository.snapshot(truncated.id()))
                .isInstanceOf(BackpointException.class).hasMessageContaining("damaged manifest");
        assertThatThrownBy(() -> restore.vm(flipped, dir.resolve("vm"), "copy", "raw"))
                .isInstanceOf(BackpointException.class).hasMessageContaining(flippedChunk);
        assertThat(Disks.filesIn(dir)).allMatch(Files::isDirectory);
        assertThat(Disks.filesIn(dir.resolve("vm"))).isEmpty();

        restore.disk(repository.snapshot(good.id()), "vda", dir.resolve("good.raw"), "raw");
        assertThat(Disks.sha256(dir.resolve("good.raw"))).isEqualTo(Disks.sha256(shared));
        assertThat(repository.snapshots(null)).extracting(Snapshot::id)
                .containsExactly(good.id(), flipped.id(), gone.id());
        assertThatThrownBy(() -> new GarbageCollector(repository).run())
                .isInstanceOf(BackpointException.class).hasMessageContaining(manifest);
    }

    @Test
    void neverOverwritesAnOutput() throws Exception {
        Snapshot s = Disks.write(repository, "vm1", T0, "vda", Disks.random(2, CHUNK));
        Path out = Files.writeString(tmp.resolve("exists.raw"), "mine");
        assertThatThrownBy(() -> new Restore(repository).disk(s, "vda", out, "raw"))
                .isInstanceOf(BackpointException.class).hasMessageContaining("already exists");
        assertThat(Files.readString(out)).isEqualTo("mine");
    }

    @Test
    void gcFreesExactlyTheUnreferencedChunks() throws Exception {
        byte[] a = Disks.random(20, 6 * CHUNK);
        byte[] b = a.clone();
        Arrays.fill(b, 0, 2 * CHUNK, (byte) 7); // b: two new (identical) chunks + 4 shared
        Snapshot sa = Disks.write(repository, "vm1", T0, "vda", a);
        Snapshot sb = Disks.write(repository, "vm1", T0.plusSeconds(86400), "vda", b);
        // an abandoned writer's chunk: stored, never committed
        try (SnapshotWriter writer = repository.newSnapshot("vm1", null, T0.plusSeconds(90000))) {
            writer.disk("vda", CHUNK, DiskMode.FULL, "test", Optional.empty())
                    .put(0, ByteBuffer.wrap(Disks.random(21, CHUNK)));
        }
        Set<String> onlyInA = chunkSet(sa);
        onlyInA.removeAll(chunkSet(sb));
        assertThat(onlyInA).hasSize(2);
        new Prune(repository).run("vm1", new PrunePolicy(1, 0, 0, 0), false, java.time.ZoneOffset.UTC);
        assertThat(repository.snapshots("vm1")).extracting(Snapshot::id).containsExactly(sb.id());
        List<ObjectInfo> before = store.list(Layout.CHUNKS);
        GarbageCollector.Report report = new GarbageCollector(repository).run();
        List<ObjectInfo> after = store.list(Layout.CHUNKS);
        Set<String> deleted = before.stream().map(ObjectInfo::key).collect(Collectors.toSet());
        deleted.removeAll(after.stream().map(ObjectInfo::key).toList());
        assertThat(deleted.stream().map(Layout::chunkId).collect(Collectors.toSet()))
                .hasSize(3).containsAll(onlyInA);
        assertThat(report.chunksDeleted()).isEqualTo(3);
        assertThat(report.bytesFreed()).isEqualTo(before.stream().filter(i -> deleted.contains(i.key()))
                .mapToLong(ObjectInfo::size).sum());
        assertThat(after.stream().map(i -> Layout.chunkId(i.key())).collect(Collectors.toSet()))
                .isEqualTo(chunkSet(sb));
        assertThat(new Verify(repository).run(List.of()).ok()).isTrue();
        assertThat(new GarbageCollector(repository).run().chunksDeleted()).isZero();
    }

    @Test
    void refusesWhatIsNotARepository() throws IOException {
        ObjectStore empty = newStore(tmp.resolve("other"));
        assertThatThrownBy(() -> Repository.open(empty)).isInstanceOf(BackpointException.class)
                .hasMessageContaining("is not a Backpoint repository").hasMessageContaining("repo-init");
        assertThatThrownBy(() -> Repository.init(store, CHUNK, Compression.NONE))
                .isInstanceOf(BackpointException.class).hasMessageContaining("not empty")
                .hasMessageEndingWith("a repository is created in a new or empty " + container());
        assertThatThrownBy(() -> repository.snapshot("20260101T000000Z-abcdef"))
                .isInstanceOf(BackpointException.class).hasMessageContaining("has no snapshot");
        assertThatThrownBy(() -> repository.newSnapshot("../x", null, T0))
                .isInstanceOf(BackpointException.class).hasMessageContaining("invalid domain name");
        try (SnapshotWriter writer = repository.newSnapshot("vm1", null, T0)) {
            assertThatThrownBy(() -> writer.disk("../vda", CHUNK, DiskMode.FULL, "x", Optional.empty()))
                    .isInstanceOf(BackpointException.class).hasMessageContaining("not a plain name");
        }
        assertThat(repository.config().checkpointPrefix()).matches("bp-[0-9a-f]{8}-");
        assertThat(Repository.open(store).config()).isEqualTo(repository.config());
    }

    Set<String> chunkSet(Snapshot s) {
        return s.disks().stream().flatMap(d -> d.chunks().stream()).filter(java.util.Objects::nonNull)
                .collect(Collectors.toSet());
    }

    List<ObjectInfo> chunks() throws IOException {
        return store.list(Layout.CHUNKS);
    }

    long storedBytes() throws IOException {
        return chunks().stream().mapToLong(ObjectInfo::size).sum();
    }
}
