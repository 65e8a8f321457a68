package io.backpoint.repo;

import io.backpoint.repo.storage.ObjectInfo;
import io.backpoint.repo.storage.ObjectStore;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A store that records the keys of whole-object reads, to count what an operation fetched. */
final class CountingStore implements ObjectStore {
    private final ObjectStore store;
    final List<String> gets = new CopyOnWriteArrayList<>();

    CountingStore(ObjectStore store) {
        this.store = store;
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
        gets.add(key);
        return store.get(key);
    }

    @Override
    public byte[] get(String key, long offset, int length) throws IOException {
        gets.add(key);
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

    /** Reads of chunk objects (whole or ranged) so far. */
    long chunkGets() {
        return gets.stream().filter(k -> k.startsWith(Layout.CHUNKS)).count();
    }

    @Override
    public String location() {
        return store.location();
    }
}
