package io.backpoint.repo;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.nbd.NbdEndpoint;
import io.backpoint.nbd.NbdServer;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The disks of one snapshot served read-only over NBD, one export per disk named after it,
 * chunks fetched, verified and cached on demand. Nothing in the repository changes, except the
 * lease marker it holds while serving: gc treats it as a running backup, so no chunk the snapshot
 * needs is deleted under the clients even if the snapshot is pruned meanwhile.
 *
 * <p>Start with {@link #start}; {@link #close()} stops the server, removes its socket and
 * releases the lease.
 */
public final class SnapshotServer implements AutoCloseable {
    /** Default size of the chunk cache shared by the exports. */
    public static final long DEFAULT_CACHE_BYTES = 64L << 20;

    private final Snapshot snapshot;
    private final NbdServer server;
    private final Lease lease;
    private final ChunkCache cache;

    private SnapshotServer(Snapshot snapshot, NbdServer server, Lease lease, ChunkCache cache) {
        this.snapshot = snapshot;
        this.server = server;
        this.lease = lease;
        this.cache = cache;
    }

    /**
     * Serves {@code disks} of {@code snapshot} (every disk when empty) at {@code endpoint}.
     * {@code log} receives one line per failed read (e.g. which chunk is damaged) and warnings.
     * Refuses a TCP address other than loopback unless {@code allowRemote}.
     */
    public static SnapshotServer start(Repository repository, Snapshot snapshot, List<String> disks,
            NbdEndpoint endpoint, long cacheBytes, boolean allowRemote, Consumer<String> log) {
        if (!endpoint.isLocal() && !allowRemote) {
            throw BackpointException.of(ErrorCode.INVALID_ARG,
                    "%s is not a loopback address: anyone who reaches it could read the disks (NBD has no "
                            + "authentication here); use 127.0.0.1, a unix socket, or allow it explicitly", endpoint);
        }
        if (cacheBytes < 0) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "the cache size cannot be negative");
        }
        List<DiskIndex> chosen = choose(snapshot, disks);
        Lease lease = holdLease(repository, snapshot, log);
        try {
            // Taken after the lease: a gc that ran before it may have removed a pruned snapshot's chunks.
            Snapshot current = repository.snapshot(snapshot.id());
            ChunkCache cache = new ChunkCache(repository, cacheBytes);
            List<DiskExport> exports = new ArrayList<>();
            for (DiskIndex disk : choose(current, chosen.stream().map(DiskIndex::name).toList())) {
                exports.add(new DiskExport(new DiskReader(cache, current, disk)));
            }
            NbdServer server;
            try {
                server = NbdServer.start(endpoint, exports, log);
            } catch (FileAlreadyExistsException e) {
                throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                        "socket '%s' already exists; if no server uses it any more, remove it", endpoint);
            } catch (IOException e) {
                throw new BackpointException(ErrorCode.SYSTEM_ERROR,
                        "cannot listen on " + endpoint + ": " + e.getMessage(), e);
            }
            return new SnapshotServer(current, server, lease, cache);
        } catch (RuntimeException e) {
            if (lease != null) {
                lease.close();
            }
            throw e;
        }
    }

    private static List<DiskIndex> choose(Snapshot snapshot, List<String> names) {
        if (names.isEmpty()) {
            return snapshot.disks();
        }
        List<DiskIndex> out = new ArrayList<>();
        for (String name : names) {
            out.add(snapshot.disk(name).orElseThrow(() -> BackpointException.of(ErrorCode.INVALID_ARG,
                    "snapshot %s of '%s' has no disk '%s' (it has %s)", snapshot.id(), snapshot.domain(), name,
                    snapshot.disks().stream().map(DiskIndex::name).toList())));
        }
        return out;
    }

    /** A backup-kind lease, so gc waits; a repository we may not write to is served without one. */
    private static Lease holdLease(Repository repository, Snapshot snapshot, Consumer<String> log) {
        Repository.Options options = repository.options();
        try {
            return Lease.acquire(repository.store(), Lease.BACKUP, Lease.GC,
                    "serve of snapshot " + snapshot.id() + " of " + snapshot.domain(), options.lease(),
                    options.backupWait(), options.gcWait(), repository.timer());
        } catch (IOException e) {
            log.accept("warning: cannot hold a lease in repository '" + repository.location() + "' (" + e.getMessage()
                    + "); a gc run meanwhile could delete chunks of a pruned snapshot being served");
            return null;
        }
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /** Where it listens (with the actual port when TCP port 0 was asked for). */
    public NbdEndpoint endpoint() {
        return server.endpoint();
    }

    /** The export names: the disk names. */
    public List<String> exports() {
        return server.exportNames();
    }

    /** The NBD URI of a disk, for nbdinfo, nbdcopy, qemu-img and QEMU's {@code file.driver=nbd}. */
    public String uri(String disk) {
        return server.endpoint().uri(disk);
    }

    long cachedBytes() {
        return cache.cachedBytes();
    }

    @Override
    public void close() {
        server.close();
        if (lease != null) {
            lease.close();
        }
    }
}
