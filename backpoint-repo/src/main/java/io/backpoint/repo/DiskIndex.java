package io.backpoint.repo;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One disk of a snapshot: a full index of its chunks, so a restore reads this index alone.
 *
 * @param size the disk's virtual size in bytes
 * @param reason why the disk was read whole (null for an incremental)
 * @param bytesRead bytes read from the VM for this snapshot
 * @param bytesStored bytes this snapshot newly stored (after dedup and compression)
 * @param chunks chunk ids (hex SHA-256 of the plaintext) by chunk index; null for an all-zero chunk
 */
public record DiskIndex(String name, long size, int chunkSize, DiskMode mode, String reason,
        long bytesRead, long bytesStored, List<String> chunks) {
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}");

    public DiskIndex {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(chunks, "chunks");
        if (size < 0 || chunkSize <= 0) {
            throw new IllegalArgumentException("invalid size or chunk size for disk '" + name + "'");
        }
        if (chunks.size() != chunkCount(size, chunkSize)) {
            throw new IllegalArgumentException("disk '" + name + "' has " + chunks.size()
                    + " chunks, expected " + chunkCount(size, chunkSize));
        }
        chunks = Collections.unmodifiableList(Arrays.asList(chunks.toArray(new String[0])));
    }

    /** Disk names become restored file names: letters, digits and '_.+-', not starting with a sign. */
    static boolean plainName(String name) {
        return name != null && PLAIN_NAME.matcher(name).matches();
    }

    public static long chunkCount(long size, int chunkSize) {
        return (size + chunkSize - 1) / chunkSize;
    }

    /** The chunk id at an index, empty for an all-zero chunk. */
    public Optional<String> chunk(long index) {
        return Optional.ofNullable(chunks.get(Math.toIntExact(index)));
    }

    /** Bytes of the disk that chunk {@code index} covers (the last one may be short). */
    public int chunkLength(long index) {
        return (int) Math.min(chunkSize, size - index * chunkSize);
    }
}
