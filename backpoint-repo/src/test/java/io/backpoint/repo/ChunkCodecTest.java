package io.backpoint.repo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The write path hashes, zero-checks and encodes a chunk straight from the reader's buffer (heap
 * or direct, at any position) instead of a copy: each must see exactly the buffer's remaining
 * bytes and leave the buffer as it was.
 */
class ChunkCodecTest {
    private static final int LENGTH = (1 << 20) + 3; // not a multiple of the 64 KiB zero block

    /** LENGTH bytes of {@code content} at position 7 of a buffer with other bytes around them. */
    private static ByteBuffer framed(byte[] content, boolean direct) {
        ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(content.length + 20) : ByteBuffer.allocate(content.length + 20);
        byte[] noise = new byte[buffer.capacity()];
        Arrays.fill(noise, (byte) 0x5a);
        buffer.put(noise).clear();
        buffer.position(7);
        buffer.put(content).position(7).limit(7 + content.length);
        return buffer;
    }

    @ParameterizedTest(name = "direct buffer: {0}")
    @ValueSource(booleans = {false, true})
    void zeroCheckSeesOnlyTheRemainingBytes(boolean direct) {
        byte[] zeros = new byte[LENGTH];
        ByteBuffer buffer = framed(zeros, direct);
        assertThat(ChunkCodec.isZero(buffer)).isTrue();
        for (int at : new int[] {0, 65535, 65536, LENGTH - 1}) {
            byte[] one = new byte[LENGTH];
            one[at] = 1;
            assertThat(ChunkCodec.isZero(framed(one, direct))).as("a 1 at %d", at).isFalse();
        }
        assertThat(buffer.position()).isEqualTo(7);
        assertThat(buffer.remaining()).isEqualTo(LENGTH);
    }

    @ParameterizedTest(name = "direct buffer: {0}")
    @ValueSource(booleans = {false, true})
    void encodedChunksDecodeToTheRemainingBytes(boolean direct) {
        byte[] random = Disks.random(3, LENGTH);
        byte[] text = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            text[i] = (byte) ("backpoint chunk ".charAt(i % 16));
        }
        for (Compression compression : Compression.values()) {
            for (byte[] content : new byte[][] {random, text}) {
                ByteBuffer buffer = framed(content, direct);
                String id = ChunkCodec.id(buffer);
                assertThat(id).isEqualTo(Disks.sha256(content));
                byte[] stored = ChunkCodec.encode(buffer, compression);
                assertThat(buffer.position()).isEqualTo(7);
                assertThat(ChunkCodec.decode(id, stored)).isEqualTo(content);
                boolean raw = stored.length == ChunkCodec.HEADER + LENGTH;
                assertThat(raw).as("%s, %s data stored raw", compression, content == random ? "random" : "text")
                        .isEqualTo(compression == Compression.NONE || content == random);
            }
        }
    }

    /**
     * An incremental's dirty chunk: random data with one 64 KiB write of a repeated byte, placed
     * where a compressibility sample falls. Compressing it would save under 2%: stored raw. A
     * chunk that is a quarter random and the rest text is compressed.
     */
    @ParameterizedTest(name = "direct buffer: {0}")
    @ValueSource(booleans = {false, true})
    void aChunkIsCompressedOnlyWhenItSavesATenth(boolean direct) {
        int length = 4 << 20;
        byte[] dirty = Disks.random(11, length);
        Arrays.fill(dirty, 0, 64 << 10, (byte) 0xab); // the first sample lies in it
        byte[] stored = ChunkCodec.encode(framed(dirty, direct), Compression.ZSTD);
        assertThat(stored).hasSize(ChunkCodec.HEADER + length);
        assertThat(ChunkCodec.decode(Disks.sha256(dirty), stored)).isEqualTo(dirty);

        byte[] mostlyText = new byte[length];
        System.arraycopy(Disks.random(12, length / 4), 0, mostlyText, 0, length / 4);
        for (int i = length / 4; i < length; i++) {
            mostlyText[i] = (byte) ("backpoint chunk ".charAt(i % 16));
        }
        stored = ChunkCodec.encode(framed(mostlyText, direct), Compression.ZSTD);
        assertThat(stored.length).isLessThan(length / 2);
        assertThat(ChunkCodec.decode(Disks.sha256(mostlyText), stored)).isEqualTo(mostlyText);
    }

    @ParameterizedTest(name = "direct buffer: {0}")
    @ValueSource(booleans = {false, true})
    void storedChunksDecodeFromABufferAndDamageIsCaught(boolean direct) {
        byte[] random = Disks.random(5, LENGTH);
        byte[] text = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            text[i] = (byte) ("backpoint chunk ".charAt(i % 16));
        }
        ChunkBuffer buffer = new ChunkBuffer(LENGTH);
        for (byte[] content : new byte[][] {random, text}) {
            String id = Disks.sha256(content);
            byte[] stored = ChunkCodec.encode(ByteBuffer.wrap(content), Compression.ZSTD);
            ByteBuffer in = direct ? buffer.stored().put(stored).flip() : ByteBuffer.wrap(stored);
            ByteBuffer plaintext = ChunkCodec.decode(id, in, buffer::scratch);
            byte[] out = new byte[plaintext.remaining()];
            plaintext.get(out);
            assertThat(out).isEqualTo(content);
            for (int at : new int[] {ChunkCodec.HEADER, stored.length / 2, stored.length - 1}) {
                byte[] damaged = stored.clone();
                damaged[at] ^= 1;
                ByteBuffer bad = direct ? buffer.stored().put(damaged).flip() : ByteBuffer.wrap(damaged);
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChunkCodec.decode(id, bad, buffer::scratch))
                        .as("a bit flipped at %d of %d", at, stored.length).isInstanceOf(ChunkDamagedException.class);
            }
            ByteBuffer torn = direct ? buffer.stored().put(stored, 0, stored.length - 1).flip()
                    : ByteBuffer.wrap(stored, 0, stored.length - 1);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChunkCodec.decode(id, torn, buffer::scratch))
                    .isInstanceOf(ChunkDamagedException.class);
        }
    }
}
