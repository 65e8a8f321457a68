package io.backpoint.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What reaches the file is what was written, whichever road each part took: aligned runs past the
 * page cache, the rest through it (the count of the latter is what the write-behind syncs).
 */
class RawOutputTest {
    private static final int CHUNK = 64 << 10;

    @TempDir
    Path dir;

    @Test
    void alignedRunsBypassThePageCacheAndTheUnalignedRestDoesNot() throws Exception {
        assumeDirectIo();
        Path file = Files.createFile(dir.resolve("out.raw"));
        long size = 3L * CHUNK + 5096; // a last chunk that is not a whole number of blocks
        byte[] expected = new byte[(int) size];
        ChunkBuffer buffer = new ChunkBuffer(CHUNK);
        try (RawOutput out = RawOutput.open(file, size, CHUNK)) {
            // A whole chunk, from where a raw chunk's plaintext lies in a chunk buffer: direct.
            assertThat(out.write(plaintext(buffer, CHUNK, 1, expected, 0), 0)).isZero();
            // A run in the middle of a chunk, 4 KiB aligned: direct too.
            assertThat(out.write(plaintext(buffer, 8192, 2, expected, CHUNK + 4096).slice(0, 8192), CHUNK + 4096))
                    .isZero();
            // The last chunk: its whole blocks direct, the 1000-byte tail buffered.
            assertThat(out.write(plaintext(buffer, 1000 + 4096, 3, expected, 3 * CHUNK), 3L * CHUNK)).isEqualTo(1000);
            // A heap buffer cannot go direct: all of it buffered.
            byte[] heap = new byte[4096];
            new Random(4).nextBytes(heap);
            System.arraycopy(heap, 0, expected, 2 * CHUNK, heap.length);
            assertThat(out.write(ByteBuffer.wrap(heap), 2L * CHUNK)).isEqualTo(4096);
        }
        assertThat(Files.size(file)).isEqualTo(size);
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
    }

    /**
     * A file system that opens for O_DIRECT but fails the write (EINVAL, reported in the user's
     * language): the run and everything after it are written buffered, and the file is exact.
     */
    @Test
    void aRefusedDirectWriteIsWrittenAgainBuffered() throws Exception {
        assumeDirectIo();
        Path file = Files.createFile(dir.resolve("out.raw"));
        long size = 2L * CHUNK;
        byte[] expected = new byte[(int) size];
        ChunkBuffer buffer = new ChunkBuffer(CHUNK);
        int[] tries = {0};
        RawOutput.DirectWriter refusing = (channel, source, position) -> {
            tries[0]++;
            throw new java.io.IOException("Das Argument ist ungültig");
        };
        try (RawOutput out = RawOutput.open(file, size, CHUNK, refusing)) {
            assertThat(out.write(plaintext(buffer, CHUNK, 5, expected, 0), 0)).isEqualTo(CHUNK);
            assertThat(out.write(plaintext(buffer, CHUNK, 6, expected, CHUNK), CHUNK)).isEqualTo(CHUNK);
        }
        assertThat(tries[0]).isEqualTo(1);
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
    }

    /** Skips where this file system will not open a file with O_DIRECT (tmpfs before Linux 6.6). */
    private void assumeDirectIo() throws java.io.IOException {
        assumeTrue(Files.getFileStore(dir).getBlockSize() <= RawOutput.MAX_ALIGNMENT, "block larger than 4 KiB");
        Path probe = dir.resolve("probe");
        try (var c = java.nio.channels.FileChannel.open(probe, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
            // opened: O_DIRECT works here
        } catch (java.io.IOException | UnsupportedOperationException e) {
            assumeTrue(false, "no O_DIRECT here: " + e);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /** {@code n} random bytes laid in the chunk buffer where a raw chunk's plaintext lies, also copied into {@code expected}. */
    private static ByteBuffer plaintext(ChunkBuffer buffer, int n, long seed, byte[] expected, int at) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        System.arraycopy(bytes, 0, expected, at, n);
        ByteBuffer stored = buffer.stored();
        stored.position(ChunkCodec.HEADER).put(bytes);
        return stored.slice(ChunkCodec.HEADER, n);
    }
}
