package io.backpoint.repo;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.repo.storage.ObjectStore;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A snapshot being written. While it is open it holds a backup lease, which keeps gc from
 * deleting any chunk (so chunks it found already stored, and the chunks of a base index read
 * while it is open, stay). {@link #commit()} publishes the manifest last, after every chunk it
 * references is durable; {@link #close()} without commit abandons it and leaves its chunks for gc.
 *
 * <p>Read the base snapshot ({@link Repository#latest}) after opening the writer, so that the
 * lease already protects its chunks.
 */
public final class SnapshotWriter implements AutoCloseable {
    private final Repository repository;
    private final ObjectStore store;
    private final Lease lease;
    private final String id;
    private final String domain;
    private final String domainXml;
    private final Instant time;
    private final Map<String, DiskWriter> disks = new LinkedHashMap<>();
    private final Set<String> present = ConcurrentHashMap.newKeySet();
    private final WriteTimings timings = new WriteTimings();
    private String checkpointName;
    private String checkpointXml;
    private boolean finished;

    SnapshotWriter(Repository repository, Lease lease, String id, String domain, String domainXml, Instant time) {
        this.repository = repository;
        this.store = repository.store();
        this.lease = lease;
        this.id = id;
        this.domain = domain;
        this.domainXml = domainXml;
        this.time = time;
    }

    public String id() {
        return id;
    }

    public synchronized DiskWriter disk(String name, long virtualSize, DiskMode mode, String reason,
            Optional<DiskIndex> base) {
        checkOpen();
        // Disk names become restored file names: the same rule as domain names.
        if (!DiskIndex.plainName(name) || disks.containsKey(name)) {
            throw BackpointException.of(ErrorCode.INVALID_ARG,
                    "disk name '%s' is not a plain name (letters, digits, '_.+-') or is already in snapshot %s", name, id);
        }
        int chunkSize = repository.config().chunkSize();
        DiskWriter.checkBase(name, virtualSize, chunkSize, base);
        DiskWriter writer = new DiskWriter(this, name, virtualSize, chunkSize, mode,
                mode == DiskMode.FULL ? reason : null, base);
        disks.put(name, writer);
        return writer;
    }

    /** Where this snapshot's writing time went so far. */
    public WriteTimings timings() {
        return timings;
    }

    public synchronized void checkpoint(String name, String xml) {
        checkOpen();
        this.checkpointName = name;
        this.checkpointXml = xml;
    }

    /** Publishes the snapshot; every {@link DiskWriter#put} must have returned. */
    public synchronized Snapshot commit() {
        checkOpen();
        List<DiskIndex> indexes = new ArrayList<>();
        disks.values().forEach(d -> indexes.add(d.index()));
        Snapshot snapshot = new Snapshot(id, domain, time, domainXml, checkpointName, checkpointXml, indexes);
        lease.check();
        try {
            // Every chunk this snapshot stored or found present gets a durable name before the
            // manifest that references it is published.
            store.syncNames(present.stream().map(Layout::chunk).toList());
            // Again just before the manifest: the syncs can take long, and a gc that saw this
            // lease expire meanwhile may have removed a chunk this snapshot only found present.
            lease.check();
            if (!store.putIfAbsent(Layout.manifest(domain, id), ManifestCodec.formatSnapshot(snapshot))) {
                throw BackpointException.of(ErrorCode.OPERATION_FAILED, "snapshot %s already exists", id);
            }
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "repository '" + store.location() + "': cannot publish snapshot " + id + ": " + e.getMessage(), e);
        }
        finished = true;
        lease.close();
        return snapshot;
    }

    @Override
    public synchronized void close() {
        finished = true;
        lease.close();
    }

    /**
     * Reads a stored chunk of {@code length} bytes into {@code into}, checked against its id (the
     * base of an incremental: the lease keeps it from gc while this snapshot is open).
     */
    void readChunkInto(String chunkId, byte[] into, int offset, int length) {
        lease.check();
        long t = System.nanoTime();
        try {
            repository.readChunkInto(chunkId, into, offset, length);
        } finally {
            timings.add(WriteTimings.Step.BASE_READ, t);
        }
    }

    /** A chunk put: its id and the bytes this put newly stored (0 when the repository had it). */
    record StoredChunk(String id, long bytes) {
    }

    /**
     * Stores the buffer's remaining bytes (not moved) as a chunk unless the repository has it.
     * The id is hashed here from the very buffer the raw stored form is written from, with no copy
     * in between, so a chunk is never stored under an id its bytes do not have; the caller must
     * not change the buffer until this returns. A compressed form is decoded and checked against
     * the id before it is stored.
     */
    StoredChunk storeChunk(java.nio.ByteBuffer data) throws IOException {
        lease.check();
        long t = System.nanoTime();
        String chunkId = ChunkCodec.id(data);
        timings.add(WriteTimings.Step.HASH, t);
        if (present.contains(chunkId)) {
            return new StoredChunk(chunkId, 0);
        }
        String key = Layout.chunk(chunkId);
        t = System.nanoTime();
        boolean there = store.stat(key).isPresent();
        timings.add(WriteTimings.Step.STORE, t);
        if (there) {
            present.add(chunkId);
            return new StoredChunk(chunkId, 0);
        }
        t = System.nanoTime();
        java.nio.ByteBuffer[] parts = ChunkCodec.encodeParts(data, repository.config().compression());
        long length = 0;
        for (java.nio.ByteBuffer part : parts) {
            length += part.remaining();
        }
        if (parts.length == 1) {
            try {
                ChunkCodec.check(chunkId, parts[0].array());
            } catch (ChunkDamagedException e) {
                throw new IOException("chunk " + chunkId + " does not decode to what was hashed; not stored", e);
            }
        }
        timings.add(WriteTimings.Step.COMPRESS, t);
        t = System.nanoTime();
        boolean stored = store.putIfAbsentDeferred(key, parts);
        timings.add(WriteTimings.Step.STORE, t);
        present.add(chunkId);
        return new StoredChunk(chunkId, stored ? length : 0);
    }

    private void checkOpen() {
        if (finished) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID, "snapshot %s is already committed or abandoned", id);
        }
    }
}
