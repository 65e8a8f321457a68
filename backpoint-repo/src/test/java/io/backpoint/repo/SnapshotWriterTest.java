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
}
