package io.backpoint.repo;

import io.backpoint.repo.storage.ObjectInfo;
import io.backpoint.repo.storage.ObjectStore;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A store that counts the chunk objects read from it. */
final class CountingStore implements ObjectStore {
    private final ObjectStore store;
    private final AtomicInteger chunkGets;

    CountingStore(ObjectStore store, AtomicInteger chunkGets) {
        this.store = store;
        this.chunkGets = chunkGets;
    }

    @Override
    public boolean putIfAbsent(String key, byte[] content) throws IOException {
        return store.putIfAbsent(key, content);
    }

    @Override
    public void put(String key, byte[] content) throws IOException {
        store.put(key, content);
    }

    @Override
    public Optional<byte[]> get(String key) throws IOException {
        if (key.startsWith(Layout.CHUNKS)) {
            chunkGets.incrementAndGet();
        }
        return store.get(key);
    }

    @Override
    public byte[] get(String key, long offset, int length) throws IOException {
        return store.get(key, offset, length);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        return store.stat(key);
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        return store.list(prefix);
    }

    @Override
    public void delete(String key) throws IOException {
        store.delete(key);
    }

    @Override
    public long removeLeftovers(Instant olderThan) throws IOException {
        return store.removeLeftovers(olderThan);
    }

    @Override
    public String location() {
        return store.location();
    }
}
