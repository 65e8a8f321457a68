package io.backpoint.repo;

import java.nio.ByteBuffer;

/**
 * Reusable direct memory for reading one stored chunk at a time (restore, verify): room for the
 * stored form of a chunk of the repository's size, and a decompression buffer made only when a
 * compressed chunk comes. Reading into it allocates nothing per chunk, and a direct buffer goes
 * from the file to the output with no copy through the JDK's temporary buffers.
 */
final class ChunkBuffer {
    private final ByteBuffer stored;
    private ByteBuffer scratch;

    ChunkBuffer(int chunkSize) {
        this.stored = ByteBuffer.allocateDirect(ChunkCodec.HEADER + chunkSize);
    }

    /** The stored-form buffer, cleared. */
    ByteBuffer stored() {
        return stored.clear();
    }

    /** A direct buffer of at least {@code length} bytes for a decompressed chunk. */
    ByteBuffer scratch(int length) {
        if (scratch == null || scratch.capacity() < length) {
            scratch = ByteBuffer.allocateDirect(length);
        }
        return scratch.clear();
    }
}
