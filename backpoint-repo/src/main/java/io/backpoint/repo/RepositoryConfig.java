package io.backpoint.repo;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A repository's fixed settings, written once by repo-init.
 *
 * @param id random and stable; its first 8 hex digits name the repository's checkpoints
 * @param chunkSize bytes per chunk, a power of two between 64 KiB and 64 MiB
 */
public record RepositoryConfig(int formatVersion, String id, int chunkSize, Compression compression) {
    public static final int FORMAT_VERSION = 1;
    public static final int DEFAULT_CHUNK_SIZE = 4 << 20;
    static final int MIN_CHUNK_SIZE = 64 << 10;
    static final int MAX_CHUNK_SIZE = 64 << 20;
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");

    public RepositoryConfig {
        Objects.requireNonNull(compression, "compression");
        if (id == null || !ID.matcher(id).matches()) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "invalid repository id '%s'", id);
        }
        checkChunkSize(chunkSize);
    }

    public static void checkChunkSize(long chunkSize) {
        if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE || Long.bitCount(chunkSize) != 1) {
            throw BackpointException.of(ErrorCode.INVALID_ARG,
                    "chunk size %d is not a power of two between 64K and 64M", chunkSize);
        }
    }

    /** The prefix of every checkpoint a backup into this repository creates, e.g. {@code bp-1a2b3c4d-}. */
    public String checkpointPrefix() {
        return "bp-" + id.substring(0, 8) + "-";
    }
}
