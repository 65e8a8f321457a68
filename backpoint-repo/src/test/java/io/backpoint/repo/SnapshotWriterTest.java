package io.backpoint.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A chunk is stored only under the id its bytes have, whatever the caller's buffer did meanwhile. */
class SnapshotWriterTest {
    @TempDir
    Path dir;

    @Test
    void bytesThatDoNotMatchTheirIdAreNeverStored() throws Exception {
        String root = dir.resolve("repo").toString();
        Repository.init(root, 1 << 20, Compression.ZSTD).close();
        byte[] hashed = Disks.random(1, 1 << 20);
        byte[] changed = hashed.clone();
        changed[12345] ^= 1; // the buffer as a late write left it
        String id = ChunkCodec.id(hashed, hashed.length);
        try (Repository repository = Repository.open(root);
                SnapshotWriter writer = repository.newSnapshot("vm1", null, Instant.parse("2026-01-01T00:00:00Z"))) {
            assertThatThrownBy(() -> writer.storeChunk(id, ByteBuffer.wrap(changed)))
                    .isInstanceOf(IOException.class).hasMessageContaining(id).hasMessageContaining("not stored");
            assertThat(storedFiles()).noneMatch(p -> p.getFileName().toString().contains(id));
            assertThat(writer.storeChunk(id, ByteBuffer.wrap(hashed))).isPositive();
            assertThat(storedFiles()).anyMatch(p -> p.getFileName().toString().contains(id));
        }
    }

    private java.util.List<Path> storedFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve("repo"))) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
