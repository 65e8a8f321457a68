package io.backpoint.repo;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.repo.storage.DirectoryStore;
import io.backpoint.repo.storage.ObjectInfo;
import io.backpoint.repo.storage.ObjectStore;
import io.backpoint.repo.storage.ObjectStores;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A backup repository: deduplicated chunks plus one manifest per snapshot, over an
 * {@link ObjectStore}. Open it with {@link #open(String)}; everything that reads or changes the
 * repository goes through here.
 */
public final class Repository implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** Timings of the gc/backup exclusion; tests shorten them. */
    record Options(Duration lease, Duration backupWait, Duration gcWait) {
        static final Options DEFAULT = new Options(Duration.ofMinutes(2), Duration.ofHours(2), Duration.ofSeconds(30));
    }

    private final ObjectStore store;
    private final RepositoryConfig config;
    private final Options options;
    private final ScheduledExecutorService timer;

    private Repository(ObjectStore store, RepositoryConfig config, Options options) {
        this.store = store;
        this.config = config;
        this.options = options;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "repository-lease");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Creates a repository at {@code location}: a directory that does not exist or is empty, or an
     * S3 prefix with no objects under it.
     */
    public static Repository init(String location, int chunkSize, Compression compression) {
        return init(ObjectStores.open(location), chunkSize, compression);
    }

    public static Repository init(ObjectStore store, int chunkSize, Compression compression) {
        RepositoryConfig.checkChunkSize(chunkSize);
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        RepositoryConfig config = new RepositoryConfig(RepositoryConfig.FORMAT_VERSION, HexFormat.of().formatHex(id),
                chunkSize, compression);
        try {
            if (store instanceof DirectoryStore directory) {
                directory.createRoot();
            }
            if (!store.list("").isEmpty()) {
                throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                        "'%s' is not empty; a repository is created in a new or empty %s", store.location(),
                        store instanceof DirectoryStore ? "directory" : "prefix");
            }
            if (!store.putIfAbsent(Layout.CONFIG, ManifestCodec.formatConfig(config))) {
                throw BackpointException.of(ErrorCode.OPERATION_INVALID, "'%s' is already a repository", store.location());
            }
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "cannot create repository '" + store.location() + "': " + e.getMessage(), e);
        }
        return new Repository(store, config, Options.DEFAULT);
    }

    /** Opens an existing repository; refuses anything else with a clear error. */
    public static Repository open(String location) {
        return open(ObjectStores.open(location));
    }

    public static Repository open(ObjectStore store) {
        return open(store, Options.DEFAULT);
    }

    static Repository open(ObjectStore store, Options options) {
        byte[] content;
        try {
            content = store.get(Layout.CONFIG).orElse(null);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPEN_FAILED,
                    "cannot read repository '" + store.location() + "': " + e.getMessage(), e);
        }
        if (content == null) {
            throw BackpointException.of(ErrorCode.OPEN_FAILED,
                    "'%s' is not a Backpoint repository (no %s); create one with 'backpoint repo-init %s'",
                    store.location(), Layout.CONFIG, store.location());
        }
        try {
            return new Repository(store, ManifestCodec.parseConfig(content), options);
        } catch (IOException | RuntimeException e) {
            throw new BackpointException(ErrorCode.OPEN_FAILED,
                    "repository '" + store.location() + "' has a damaged " + Layout.CONFIG + ": " + e.getMessage(), e);
        }
    }

    public RepositoryConfig config() {
        return config;
    }

    public String location() {
        return store.location();
    }

    /**
     * Starts a snapshot of {@code domain}. Waits while gc runs (it holds the repository's gc
     * lease), then holds a backup lease until commit or close.
     */
    public SnapshotWriter newSnapshot(String domain, String domainXml, Instant time) {
        Layout.checkDomain(domain);
        byte[] random = new byte[3];
        RANDOM.nextBytes(random);
        String id = ID_TIME.format(time) + "-" + HexFormat.of().formatHex(random);
        Lease lease;
        try {
            lease = Lease.acquire(store, Lease.BACKUP, Lease.GC, "backup of " + domain, options.lease(),
                    options.backupWait(), options.gcWait(), timer);
        } catch (IOException e) {
            throw storeError("cannot start a snapshot", e);
        }
        return new SnapshotWriter(this, lease, id, domain, domainXml, time);
    }

    /** Every readable snapshot of {@code domain} (all domains when null), oldest first. */
    public List<Snapshot> snapshots(String domain) {
        List<Snapshot> found = new ArrayList<>();
        for (ManifestRef ref : manifests(domain)) {
            try {
                readIfPresent(ref).ifPresent(found::add);
            } catch (BackpointException e) {
                // A damaged manifest is reported by verify; it does not hide the others.
            }
        }
        found.sort(Comparator.comparing(Snapshot::time).thenComparing(Snapshot::id));
        return found;
    }

    /**
     * The newest readable snapshot of {@code domain}, by time as {@link #snapshots} orders them.
     * Ids start with the time in whole seconds, so only the manifests of the newest second that
     * holds a readable one need reading: two snapshots taken within one second are told apart by
     * their millisecond times, not by the random part of their ids.
     */
    public Optional<Snapshot> latest(String domain) {
        List<ManifestRef> refs = new ArrayList<>(manifests(domain));
        refs.sort(Comparator.comparing(ManifestRef::id).reversed());
        Comparator<Snapshot> byTime = Comparator.comparing(Snapshot::time).thenComparing(Snapshot::id);
        Snapshot newest = null;
        String second = null;
        for (ManifestRef ref : refs) {
            if (second != null && !idSecond(ref.id()).equals(second)) {
                break;
            }
            try {
                Optional<Snapshot> snapshot = readIfPresent(ref);
                if (snapshot.isPresent()) {
                    second = idSecond(ref.id());
                    if (newest == null || byTime.compare(snapshot.get(), newest) > 0) {
                        newest = snapshot.get();
                    }
                }
            } catch (BackpointException e) {
                // skip a damaged one: verify names it
            }
        }
        return Optional.ofNullable(newest);
    }

    private static String idSecond(String id) {
        int dash = id.indexOf('-');
        return dash < 0 ? id : id.substring(0, dash);
    }

    /** A snapshot by id, {@code latest} (newest of any domain) or {@code DOMAIN:latest}. */
    public Snapshot snapshot(String spec) {
        if (spec == null || spec.isEmpty()) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "no snapshot named");
        }
        if (spec.equals("latest") || spec.endsWith(":latest")) {
            String domain = spec.equals("latest") ? null : spec.substring(0, spec.length() - ":latest".length());
            Optional<Snapshot> latest = latest(domain);
            return latest.orElseThrow(() -> BackpointException.of(ErrorCode.INVALID_ARG,
                    "repository '%s' has no snapshot%s", store.location(), domain == null ? "" : " of '" + domain + "'"));
        }
        for (ManifestRef ref : manifests(null)) {
            if (ref.id().equals(spec)) {
                return read(ref);
            }
        }
        throw BackpointException.of(ErrorCode.INVALID_ARG,
                "repository '%s' has no snapshot '%s' (see 'backpoint snapshots --repo %s')", store.location(), spec,
                store.location());
    }

    /** Reads, decompresses and checks one chunk against its id. */
    byte[] readChunk(String id) {
        return ChunkCodec.decode(id, readStored(id));
    }

    /**
     * Reads, decompresses and checks one chunk against its id as {@link #readChunk(String)} does,
     * into {@code buffer}: returns the plaintext (position 0 to its length), valid until the
     * buffer's next use.
     */
    java.nio.ByteBuffer readChunk(String id, ChunkBuffer buffer) {
        return ChunkCodec.decode(id, readStored(id, buffer), buffer::scratch);
    }

    /** The stored form of chunk {@code id} read into the buffer, position 0 to its size. */
    private java.nio.ByteBuffer readStored(String id, ChunkBuffer buffer) {
        java.nio.ByteBuffer stored = buffer.stored();
        long size;
        try {
            size = store.read(Layout.chunk(id), stored);
        } catch (IOException e) {
            throw new ChunkDamagedException(id, "cannot be read: " + e.getMessage());
        }
        if (size < 0) {
            throw new ChunkDamagedException(id, "is missing");
        }
        if (size > stored.capacity()) {
            throw new ChunkDamagedException(id, "wrong size (" + size + " bytes stored, more than a chunk of this repository)");
        }
        return stored.flip();
    }

    /**
     * Reads, decompresses and checks one chunk of {@code length} plaintext bytes into {@code into}
     * at {@code offset}; throws {@link ChunkDamagedException} when it is missing or damaged.
     */
    void readChunkInto(String id, byte[] into, int offset, int length) {
        ChunkCodec.decodeInto(id, readStored(id), into, offset, length);
    }

    /** Checks one chunk as {@link #readChunk} does; returns its stored size. */
    long readChunkCounting(String id, ChunkBuffer buffer) {
        java.nio.ByteBuffer stored = readStored(id, buffer);
        long size = stored.remaining();
        ChunkCodec.decode(id, stored, buffer::scratch);
        return size;
    }

    private byte[] readStored(String id) {
        byte[] stored;
        try {
            stored = store.get(Layout.chunk(id)).orElse(null);
        } catch (IOException e) {
            throw new ChunkDamagedException(id, "cannot be read: " + e.getMessage());
        }
        if (stored == null) {
            throw new ChunkDamagedException(id, "is missing");
        }
        return stored;
    }

    /** A manifest's name, before reading it. */
    record ManifestRef(String key, String domain, String id, long size) {
    }

    List<ManifestRef> manifests(String domain) {
        try {
            List<ManifestRef> refs = new ArrayList<>();
            for (ObjectInfo info : store.list(Layout.manifests(domain))) {
                String[] parts = Layout.manifestParts(info.key());
                if (parts != null) {
                    refs.add(new ManifestRef(info.key(), parts[0], parts[1], info.size()));
                }
            }
            return refs;
        } catch (IOException e) {
            throw storeError("cannot list snapshots", e);
        }
    }

    Snapshot read(ManifestRef ref) {
        return readIfPresent(ref).orElseThrow(() -> BackpointException.of(ErrorCode.INVALID_ARG,
                "snapshot %s of '%s' was deleted meanwhile", ref.id(), ref.domain()));
    }

    /** The snapshot, or empty when its manifest was deleted (pruned) since it was listed. */
    Optional<Snapshot> readIfPresent(ManifestRef ref) {
        try {
            Optional<byte[]> content = store.get(ref.key());
            if (content.isEmpty()) {
                return Optional.empty();
            }
            Snapshot snapshot = ManifestCodec.parseSnapshot(content.get());
            if (!snapshot.id().equals(ref.id()) || !snapshot.domain().equals(ref.domain())) {
                throw new IOException("its content names snapshot " + snapshot.domain() + "/" + snapshot.id());
            }
            return Optional.of(snapshot);
        } catch (IOException | RuntimeException e) {
            throw new BackpointException(ErrorCode.READ_FAILED,
                    "snapshot " + ref.id() + " of '" + ref.domain() + "' has a damaged manifest (" + ref.key() + "): "
                            + e.getMessage(), e);
        }
    }

    /** Whether the repository's storage is local (a directory), not reached over the network. */
    public boolean local() {
        return store.local();
    }

    /** Requests to keep in flight against this repository's storage (restore, verify, backup). */
    public int parallelism() {
        return store.parallelism();
    }

    ObjectStore store() {
        return store;
    }

    Options options() {
        return options;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    BackpointException storeError(String what, IOException e) {
        return new BackpointException(ErrorCode.SYSTEM_ERROR,
                "repository '" + store.location() + "': " + what + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            store.close();
        } catch (IOException e) {
            // nothing buffered: every write is durable when it returns
        }
    }
}
