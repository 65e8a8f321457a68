package io.backpoint.repo.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectWritesTest {
    private static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rw-------");

    @TempDir
    Path dir;

    @Test
    void aChunkSizedFileIsWrittenDirectWithItsExactBytesLengthAndMode() throws Exception {
        assumeDirectIo(dir);
        byte[] header = {'B', 'P', 'C', 1, 0, 0, 0x40, 0, 0};
        byte[] payload = random(4 << 20, 1);
        List<String> steps = new ArrayList<>();
        Path file = dir.resolve("chunk");
        boolean direct = new DirectWrites().write(file, MODE, steps::add, ByteBuffer.wrap(header),
                ByteBuffer.wrap(payload).slice(0, payload.length));
        assertThat(direct).isTrue();
        assertThat(steps).containsExactly("write", "fsync");
        byte[] read = Files.readAllBytes(file);
        assertThat(read).hasSize(header.length + payload.length);
        assertThat(ByteBuffer.wrap(read, 0, header.length)).isEqualTo(ByteBuffer.wrap(header));
        assertThat(ByteBuffer.wrap(read, header.length, payload.length)).isEqualTo(ByteBuffer.wrap(payload));
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(MODE);
    }

    @Test
    void buffersAreReusedAndEachFileGetsOnlyItsOwnBytes() throws Exception {
        assumeDirectIo(dir);
        DirectWrites writes = new DirectWrites();
        byte[] big = random(300_000, 2);
        byte[] small = random(70_001, 3); // written after big in the same buffer: no tail of big may follow it
        assertThat(writes.write(dir.resolve("big"), MODE, s -> { }, ByteBuffer.wrap(big))).isTrue();
        assertThat(writes.write(dir.resolve("small"), MODE, s -> { }, ByteBuffer.wrap(small))).isTrue();
        assertThat(Files.readAllBytes(dir.resolve("small"))).isEqualTo(small);
        assertThat(Files.readAllBytes(dir.resolve("big"))).isEqualTo(big);
    }

    @Test
    void smallFilesAndASpentBudgetAreLeftToTheBufferedWrite() throws Exception {
        assumeDirectIo(dir);
        assertThat(new DirectWrites().write(dir.resolve("small"), MODE, s -> { },
                ByteBuffer.wrap(random(DirectWrites.MIN_SIZE - 1, 4)))).isFalse();
        assertThat(new DirectWrites(1 << 20).write(dir.resolve("over"), MODE, s -> { },
                ByteBuffer.wrap(random(2 << 20, 5)))).isFalse();
        assertThat(dir.resolve("small")).doesNotExist();
        assertThat(dir.resolve("over")).doesNotExist();
    }

    @Test
    void anExistingFileIsNeverOverwritten() throws Exception {
        assumeDirectIo(dir);
        Path file = dir.resolve("chunk");
        Files.write(file, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> new DirectWrites().write(file, MODE, s -> { }, ByteBuffer.wrap(random(1 << 20, 6))))
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
    }

    @Test
    void aFailedStepLeavesTheErrorToTheCaller() throws Exception {
        assumeDirectIo(dir);
        Path file = dir.resolve("chunk");
        assertThatThrownBy(() -> new DirectWrites().write(file, MODE, s -> {
            if (s.equals("fsync")) {
                throw new IOException("killed before " + s);
            }
        }, ByteBuffer.wrap(random(1 << 20, 7)))).hasMessage("killed before fsync");
    }

    /** Skips where this file system will not open a file with O_DIRECT (tmpfs before Linux 6.6). */
    private static void assumeDirectIo(Path dir) throws IOException {
        Path probe = dir.resolve("probe");
        try (var c = java.nio.channels.FileChannel.open(probe, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
            // opened: O_DIRECT works here
        } catch (IOException | UnsupportedOperationException e) {
            assumeTrue(false, "no O_DIRECT here: " + e);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /**
     * A file system that opens for O_DIRECT but fails the write (EINVAL, in the user's language):
     * nothing is left under the name, the caller is told to write buffered, and so are later files.
     */
    @Test
    void aRefusedDirectWriteLeavesNothingAndTurnsDirectWritesOff() throws Exception {
        assumeDirectIo(dir);
        int[] tries = {0};
        DirectWrites writes = new DirectWrites(DirectWrites.BUDGET, (channel, buffer) -> {
            tries[0]++;
            throw new IOException("Das Argument ist ungültig");
        });
        Path file = dir.resolve("chunk");
        assertThat(writes.write(file, MODE, s -> { }, ByteBuffer.wrap(random(1 << 20, 7)))).isFalse();
        assertThat(file).doesNotExist();
        assertThat(writes.write(dir.resolve("next"), MODE, s -> { }, ByteBuffer.wrap(random(1 << 20, 8)))).isFalse();
        assertThat(tries[0]).isEqualTo(1);
        assertThat(dir.resolve("next")).doesNotExist();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
