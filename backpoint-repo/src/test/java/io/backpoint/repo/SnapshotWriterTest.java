package io.backpoint.repo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A chunk is stored only under the id its bytes have: the id is hashed by the store call itself
 * from the buffer it writes, heap or direct, raw or compressed, and a chunk already there is not
 * stored again.
 */
class SnapshotWriterTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "direct buffer: {0}")
    @ValueSource(booleans = {false, true})
    void aChunkIsStoredUnderTheHashOfItsBytes(boolean direct) throws Exception {
        String root = dir.resolve("repo").toString();
        Repository.init(root, 1 << 20, Compression.ZSTD).close();
        byte[] random = Disks.random(1, 1 << 20);
        byte[] text = new byte[1 << 20];
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) ("stored chunk " + i / 4096).charAt(i % 13);
        }
        try (Repository repository = Repository.open(root);
                SnapshotWriter writer = repository.newSnapshot("vm1", null, Instant.parse("2026-01-01T00:00:00Z"))) {
            for (byte[] content : new byte[][] {random, text}) {
                ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(content.length + 5) : ByteBuffer.allocate(content.length + 5);
                buffer.position(5).mark();
                buffer.put(content).reset();
                SnapshotWriter.StoredChunk stored = writer.storeChunk(buffer);
                assertThat(stored.id()).isEqualTo(Disks.sha256(content));
                assertThat(stored.bytes()).isPositive();
                assertThat(buffer.position()).isEqualTo(5);
                assertThat(storedFiles()).anyMatch(p -> p.getFileName().toString().equals(stored.id()));
                assertThat(repository.readChunk(stored.id())).isEqualTo(content);
                assertThat(writer.storeChunk(buffer)).isEqualTo(new SnapshotWriter.StoredChunk(stored.id(), 0));
            }
            long rawSize = Files.size(storedFiles().stream()
                    .filter(p -> p.getFileName().toString().equals(Disks.sha256(random))).findFirst().orElseThrow());
            assertThat(rawSize).isEqualTo(ChunkCodec.HEADER + random.length);
        }
    }

    private java.util.List<Path> storedFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve("repo"))) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    /**
     * Chunk names are made durable by one directory fsync each, at commit, before the manifest is
     * linked: for every chunk stored, and for one found already stored (another writer may have
     * put it without syncing its directory yet).
     */
    @org.junit.jupiter.api.Test
    void everyChunkDirectoryIsSyncedBeforeTheManifestAppears() throws Exception {
        Path root = dir.resolve("repo");
        Repository.init(root.toString(), 64 << 10, Compression.NONE).close();
        byte[] data = Disks.random(7, 6 * (64 << 10));
        byte[] other = Disks.random(8, 64 << 10);
        String foundId = Disks.sha256(other);
        try (Repository first = Repository.open(root.toString());
                SnapshotWriter writer = first.newSnapshot("vm0", null, Instant.parse("2026-01-01T00:00:00Z"))) {
            writer.storeChunk(ByteBuffer.wrap(other)); // stored, never committed: its directory not synced
        }
        java.util.List<String> steps = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.backpoint.repo.storage.DirectoryStore store = new io.backpoint.repo.storage.DirectoryStore(root,
                (step, key) -> steps.add(step + " " + key));
        java.util.Set<String> ids = new java.util.HashSet<>();
        try (Repository repository = Repository.open(store);
                SnapshotWriter writer = repository.newSnapshot("vm1", null, Instant.parse("2026-01-01T00:00:01Z"))) {
            DiskWriter disk = writer.disk("vda", data.length + other.length, DiskMode.FULL, "test", java.util.Optional.empty());
            for (int i = 0; i < 6; i++) {
                disk.put(i, ByteBuffer.wrap(data, i * (64 << 10), 64 << 10));
                ids.add(Disks.sha256(java.util.Arrays.copyOfRange(data, i * (64 << 10), (i + 1) * (64 << 10))));
            }
            disk.put(6, ByteBuffer.wrap(other));
            ids.add(foundId);
            writer.commit();
        }
        int manifest = -1;
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).startsWith("link snapshots/")) {
                manifest = i;
            }
        }
        assertThat(manifest).as("steps: %s", steps).isPositive();
        java.util.List<String> before = steps.subList(0, manifest);
        for (String id : ids) {
            String directory = Layout.chunk(id).substring(0, Layout.chunk(id).lastIndexOf('/') + 1);
            assertThat(before).as("a fsync of %s before the manifest", directory)
                    .anyMatch(step -> step.startsWith("fsync-dir " + directory));
        }
        assertThat(steps.stream().filter(step -> step.startsWith("fsync-dir chunks/")).count())
                .as("one fsync per chunk directory").isEqualTo(ids.stream().map(id -> id.substring(0, 2)).distinct().count());
    }

    /**
     * The lease is checked again after the chunk names are synced, just before the manifest: the
     * syncs can take long, and a gc that saw the lease expire meanwhile may have removed a chunk
     * the snapshot only found present. Here renewals fail while one directory sync stalls past
     * the lease: nothing is published.
     */
    @org.junit.jupiter.api.Test
    void aLeaseLostWhileNamesAreSyncedPublishesNothing() throws Exception {
        Path root = dir.resolve("repo");
        Repository.init(root.toString(), 64 << 10, Compression.NONE).close();
        java.util.concurrent.atomic.AtomicBoolean refuseRenewals = new java.util.concurrent.atomic.AtomicBoolean();
        io.backpoint.repo.storage.DirectoryStore store = new io.backpoint.repo.storage.DirectoryStore(root, (step, key) -> {
            if (refuseRenewals.get() && key.startsWith("locks/")) {
                throw new java.io.UncheckedIOException(new java.io.IOException("renewal refused"));
            }
            if (step.equals("fsync-dir") && key.startsWith("chunks/") && refuseRenewals.compareAndSet(false, true)) {
                try {
                    Thread.sleep(1500); // the lease is 1 s; check() allows 3/4 of it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        Repository.Options options = new Repository.Options(java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(5));
        try (Repository repository = Repository.open(store, options);
                SnapshotWriter writer = repository.newSnapshot("vm1", null, Instant.parse("2026-01-01T00:00:00Z"))) {
            DiskWriter disk = writer.disk("vda", 64 << 10, DiskMode.FULL, "test", java.util.Optional.empty());
            disk.put(0, ByteBuffer.wrap(Disks.random(9, 64 << 10)));
            org.assertj.core.api.Assertions.assertThatThrownBy(writer::commit).hasMessageContaining("lost the lease");
            refuseRenewals.set(false);
        }
        try (Repository repository = Repository.open(root.toString())) {
            assertThat(repository.snapshots(null)).as("published snapshots").isEmpty();
        }
    }
}
