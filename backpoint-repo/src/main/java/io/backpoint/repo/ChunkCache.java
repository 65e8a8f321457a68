package io.backpoint.repo;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verified plaintext of chunks by id: fetched from the store, decompressed and checked against
 * the id by {@link Repository#readChunk}, then kept in a least-recently-used cache of at most
 * {@code capacity} bytes (0: nothing kept, as a restore reads each chunk once). Concurrent
 * requests for one chunk fetch it once: NBD clients read a chunk in many small pieces at once.
 */
final class ChunkCache {
    private final Repository repository;
    private final long capacity;
    private final LinkedHashMap<String, byte[]> cached = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, CompletableFuture<byte[]>> loading = new ConcurrentHashMap<>();
    private long cachedBytes;

    ChunkCache(Repository repository, long capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("negative cache size");
        }
        this.repository = repository;
        this.capacity = capacity;
    }

    /** The plaintext of chunk {@code id}; throws {@link ChunkDamagedException} when it is missing or damaged. */
    byte[] get(String id) {
        if (capacity == 0) {
            return repository.readChunk(id);
        }
        synchronized (this) {
            byte[] hit = cached.get(id);
            if (hit != null) {
                return hit;
            }
        }
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> running = loading.putIfAbsent(id, mine);
        if (running != null) {
            try {
                return running.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        try {
            byte[] plaintext;
            synchronized (this) {
                // Another reader may have loaded, cached and finished this chunk between our
                // look-up and our claim: take its copy rather than fetch the chunk again.
                plaintext = cached.get(id);
            }
            if (plaintext == null) {
                plaintext = repository.readChunk(id);
                put(id, plaintext);
            }
            mine.complete(plaintext);
            return plaintext;
        } catch (Throwable e) {
            // Whatever ends this load (a damaged chunk, an OutOfMemoryError) must end the waits of
            // the readers joined on it; a damaged chunk is not cached: the next read tries again.
            mine.completeExceptionally(e);
            throw e;
        } finally {
            loading.remove(id, mine);
        }
    }

    private synchronized void put(String id, byte[] plaintext) {
        if (plaintext.length > capacity || cached.containsKey(id)) {
            return;
        }
        cached.put(id, plaintext);
        cachedBytes += plaintext.length;
        Iterator<byte[]> oldest = cached.values().iterator();
        while (cachedBytes > capacity && oldest.hasNext()) {
            cachedBytes -= oldest.next().length;
            oldest.remove();
        }
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }
}
