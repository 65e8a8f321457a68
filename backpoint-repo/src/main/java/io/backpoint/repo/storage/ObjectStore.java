package io.backpoint.repo.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The storage seam of a repository: a flat namespace of objects named by relative
 * '/'-separated keys, shaped after S3 so that an object-storage backend is a second
 * implementation and the repository logic above it is not duplicated.
 *
 * <p>Every write is atomic: a reader sees the whole new content or none of it. Times in
 * {@link ObjectInfo#lastModified()} are the store's own clock (the server's on S3), so callers
 * compare them with each other, never with the local clock.
 */
public interface ObjectStore extends AutoCloseable {

    /**
     * Stores an immutable object unless one with this key exists. Returns true when this call
     * stored it; false when it was already there (its content is then left untouched). The object
     * is durable when this returns.
     */
    boolean putIfAbsent(String key, byte[] content) throws IOException;

    /**
     * {@link #putIfAbsent(String, byte[])} of the concatenated remaining bytes of {@code parts}
     * (not moved): a chunk's header and its plaintext in the caller's buffer, stored without
     * first being copied into one array where the store can write them as they are.
     */
    default boolean putIfAbsent(String key, ByteBuffer... parts) throws IOException {
        return putIfAbsent(key, concat(parts));
    }

    /** The concatenated remaining bytes of {@code parts} (not moved), in one new array. */
    static byte[] concat(ByteBuffer... parts) {
        int length = 0;
        for (ByteBuffer part : parts) {
            length += part.remaining();
        }
        ByteBuffer whole = ByteBuffer.allocate(length);
        for (ByteBuffer part : parts) {
            whole.put(part.duplicate());
        }
        return whole.array();
    }

    /**
     * {@link #putIfAbsent(String, ByteBuffer...)} whose name need not survive a power cut yet: the
     * content is durable before the name appears, as there, but the name is made durable only by a
     * later {@link #syncNames}, so the chunks of a snapshot share a few directory syncs instead of
     * one each. Stores whose writes are durable as they return need do nothing more.
     */
    default boolean putIfAbsentDeferred(String key, ByteBuffer... parts) throws IOException {
        return putIfAbsent(key, parts);
    }

    /**
     * Makes the names of these objects durable: those put with {@link #putIfAbsentDeferred} and
     * those found present that another writer may have put so. Called before anything that
     * references them is published.
     */
    default void syncNames(java.util.Collection<String> keys) throws IOException {
    }

    /** Stores or atomically replaces a small mutable object; durable when this returns. */
    void put(String key, byte[] content) throws IOException;

    /** The whole object, or empty when there is none. */
    Optional<byte[]> get(String key) throws IOException;

    /**
     * Reads the whole object into {@code into} from its position when it fits in the remaining
     * space (then the position moves past it); returns the object's size, or -1 when there is
     * none. An object larger than the space is not read: the caller sees the size and decides.
     */
    default long read(String key, ByteBuffer into) throws IOException {
        Optional<byte[]> content = get(key);
        if (content.isEmpty()) {
            return -1;
        }
        if (content.get().length <= into.remaining()) {
            into.put(content.get());
        }
        return content.get().length;
    }

    /** {@code length} bytes from {@code offset}; fewer only at the end of the object. */
    byte[] get(String key, long offset, int length) throws IOException;

    Optional<ObjectInfo> stat(String key) throws IOException;

    /** Every object whose key starts with {@code prefix}, in key order. */
    List<ObjectInfo> list(String prefix) throws IOException;

    /** Removes the object; no error when it is already gone. */
    void delete(String key) throws IOException;

    /**
     * Removes what writers killed in the middle of a write left behind (temporary files,
     * unfinished multipart uploads) that started before {@code olderThan}. Never visible
     * objects.
     */
    default long removeLeftovers(Instant olderThan) throws IOException {
        return 0;
    }

    /**
     * How many requests callers should keep in flight: a local file system is busy with a few,
     * object storage is bound by each request's latency and wants many.
     */
    default int parallelism() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Whether a read is a local file read (cheap next to a read from the VM) rather than a
     * request over the network.
     */
    default boolean local() {
        return true;
    }

    /** Where this store is, as the user wrote it (for messages). */
    String location();

    @Override
    default void close() throws IOException {
    }
}
