package io.backpoint.repo;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.repo.storage.ObjectInfo;
import io.backpoint.repo.storage.ObjectStore;
import java.io.IOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Deletes the chunks no snapshot references. It holds the repository's gc lease for the whole
 * run, so no backup runs meanwhile (a backup waits; see {@link Lease}): every chunk a backup
 * could reference is then in a committed manifest, and anything else is garbage, including what
 * killed backups left. A manifest it cannot read stops it: it would not know what that snapshot
 * references.
 */
public final class GarbageCollector {
    /** What a gc run did. */
    public record Report(long chunksKept, long chunksDeleted, long bytesFreed, long leftoversRemoved,
            long expiredLeasesRemoved) {
    }

    private final Repository repository;

    public GarbageCollector(Repository repository) {
        this.repository = repository;
    }

    public Report run() {
        ObjectStore store = repository.store();
        Repository.Options options = repository.options();
        try (Lease lease = Lease.acquire(store, Lease.GC, Lease.BACKUP, "gc", options.lease(), options.gcWait(),
                options.gcWait(), repository.timer())) {
            Instant now = lease.storeNow();
            Set<String> referenced = new HashSet<>();
            for (Repository.ManifestRef ref : repository.manifests(null)) {
                Optional<Snapshot> snapshot;
                try {
                    snapshot = repository.readIfPresent(ref); // empty: pruned meanwhile, references nothing
                } catch (BackpointException e) {
                    throw BackpointException.of(ErrorCode.OPERATION_FAILED,
                            "gc stopped before deleting anything: %s. Restore what you can from it, then delete "
                                    + "%s (or prune it) and run gc again", e.getMessage(), ref.key());
                }
                for (DiskIndex disk : snapshot.map(Snapshot::disks).orElse(List.of())) {
                    for (String id : disk.chunks()) {
                        if (id != null) {
                            referenced.add(id);
                        }
                    }
                }
            }
            long kept = 0;
            long deleted = 0;
            long freed = 0;
            for (ObjectInfo chunk : store.list(Layout.CHUNKS)) {
                String id = Layout.chunkId(chunk.key());
                if (id == null || referenced.contains(id)) {
                    kept++;
                    continue;
                }
                lease.check();
                store.delete(chunk.key());
                deleted++;
                freed += chunk.size();
            }
            // Writers killed mid-write left temporaries; none is running now, but a lease
            // attempt may be, so only what is older than a lease goes.
            long leftovers = store.removeLeftovers(now.minus(options.lease()));
            long expired = 0;
            for (String kind : List.of(Lease.BACKUP, Lease.GC, Lease.GC_TURN)) {
                for (ObjectInfo marker : Lease.expired(store, kind, now, options.lease())) {
                    store.delete(marker.key());
                    expired++;
                }
            }
            return new Report(kept, deleted, freed, leftovers, expired);
        } catch (IOException e) {
            throw repository.storeError("gc failed", e);
        }
    }
}
