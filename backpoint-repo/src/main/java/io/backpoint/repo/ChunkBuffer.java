package io.backpoint.repo;

import java.nio.ByteBuffer;

/**
 * Reusable direct memory for reading one stored chunk at a time (restore, verify): room for the
 * stored form of a chunk of the repository's size, and a decompression buffer made only when a
 * compressed chunk comes. Reading into it allocates nothing per chunk, and a direct buffer goes
 * from the file to the output with no copy through the JDK's temporary buffers. The plaintext of
 * either form starts on a {@link RawOutput#MAX_ALIGNMENT} boundary (the stored form starts its
 * header that much before), so a restore writes it with O_DIRECT as it lies.
 */
final class ChunkBuffer {
    private static final int ALIGN = RawOutput.MAX_ALIGNMENT;

    private final ByteBuffer stored;
    private ByteBuffer scratch;

    ChunkBuffer(int chunkSize) {
        // alignedSlice drops up to ALIGN - 1 bytes at each end: room for both and the header's block.
        ByteBuffer aligned = ByteBuffer.allocateDirect(chunkSize + 3 * ALIGN).alignedSlice(ALIGN);
        this.stored = aligned.slice(ALIGN - ChunkCodec.HEADER, ChunkCodec.HEADER + chunkSize);
    }

    /** The stored-form buffer, cleared. */
    ByteBuffer stored() {
        return stored.clear();
    }

    /** A direct buffer of at least {@code length} bytes for a decompressed chunk. */
    ByteBuffer scratch(int length) {
        if (scratch == null || scratch.capacity() < length) {
            scratch = ByteBuffer.allocateDirect(length + 2 * ALIGN).alignedSlice(ALIGN);
        }
        return scratch.clear();
    }
}
