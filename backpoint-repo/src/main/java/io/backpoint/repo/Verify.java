package io.backpoint.repo;

import io.backpoint.error.BackpointException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Re-reads and re-hashes every chunk the chosen snapshots reference, each chunk once however
 * many snapshots share it, on several threads; names each damaged or missing chunk and every
 * snapshot it breaks, and every manifest that cannot be read.
 */
public final class Verify {
    /** A chunk that is missing or does not match its id, and the snapshots that reference it. */
    public record DamagedChunk(String id, String problem, List<String> snapshots) {
    }

    /** A manifest that cannot be read: its snapshot cannot be restored. */
    public record DamagedManifest(String snapshot, String domain, String key, String problem) {
    }

    public record Report(int snapshots, long chunks, long storedBytes, List<DamagedChunk> damagedChunks,
            List<DamagedManifest> damagedManifests, List<String> brokenSnapshots) {
        public boolean ok() {
            return damagedChunks.isEmpty() && damagedManifests.isEmpty();
        }
    }

    private final Repository repository;
    private final int threads;

    public Verify(Repository repository) {
        this(repository, repository.parallelism());
    }

    public Verify(Repository repository, int threads) {
        this.repository = repository;
        this.threads = threads;
    }

    /** Verifies the snapshots named (ids, latest, DOMAIN:latest), or every snapshot when none is named. */
    public Report run(List<String> specs) {
        List<Snapshot> snapshots = new ArrayList<>();
        List<DamagedManifest> damagedManifests = new ArrayList<>();
        if (specs.isEmpty()) {
            for (Repository.ManifestRef ref : repository.manifests(null)) {
                try {
                    repository.readIfPresent(ref).ifPresent(snapshots::add);
                } catch (BackpointException e) {
                    damagedManifests.add(new DamagedManifest(ref.id(), ref.domain(), ref.key(), e.getMessage()));
                }
            }
        } else {
            for (String spec : specs) {
                Repository.ManifestRef ref = repository.manifests(null).stream()
                        .filter(r -> r.id().equals(spec)).findFirst().orElse(null);
                if (ref == null) {
                    snapshots.add(repository.snapshot(spec)); // latest forms, or a clear "no snapshot" error
                    continue;
                }
                try {
                    snapshots.add(repository.read(ref));
                } catch (BackpointException e) {
                    damagedManifests.add(new DamagedManifest(ref.id(), ref.domain(), ref.key(), e.getMessage()));
                }
            }
        }
        // chunk id -> snapshots that reference it, in a stable order
        Map<String, Set<String>> users = new TreeMap<>();
        for (Snapshot snapshot : snapshots) {
            for (DiskIndex disk : snapshot.disks()) {
                for (String id : disk.chunks()) {
                    if (id != null) {
                        users.computeIfAbsent(id, k -> new LinkedHashSet<>()).add(snapshot.id());
                    }
                }
            }
        }
        AtomicLong storedBytes = new AtomicLong();
        Map<String, String> problems = check(users.keySet(), storedBytes);
        List<DamagedChunk> damaged = new ArrayList<>();
        Set<String> broken = new LinkedHashSet<>();
        problems.forEach((id, problem) -> {
            damaged.add(new DamagedChunk(id, problem, List.copyOf(users.get(id))));
            broken.addAll(users.get(id));
        });
        damagedManifests.forEach(m -> broken.add(m.snapshot()));
        return new Report(snapshots.size() + damagedManifests.size(), users.size(), storedBytes.get(), damaged,
                damagedManifests, List.copyOf(broken));
    }

    private Map<String, String> check(Set<String> ids, AtomicLong storedBytes) {
        Map<String, String> problems = new TreeMap<>();
        ExecutorService workers = Executors.newFixedThreadPool(threads, r -> {
            Thread thread = new Thread(r, "verify");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<String> all = new ArrayList<>(ids);
            List<Future<Map<String, String>>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                // Each worker takes every threads-th chunk: no queue of a million tasks in memory.
                parts.add(workers.submit(() -> {
                    Map<String, String> found = new LinkedHashMap<>();
                    ChunkBuffer buffer = new ChunkBuffer(repository.config().chunkSize());
                    for (int i = first; i < all.size(); i += threads) {
                        String id = all.get(i);
                        try {
                            storedBytes.addAndGet(repository.readChunkCounting(id, buffer));
                        } catch (ChunkDamagedException e) {
                            found.put(id, e.problem());
                        }
                    }
                    return found;
                }));
            }
            for (Future<Map<String, String>> part : parts) {
                problems.putAll(part.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("verify interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            workers.shutdownNow();
        }
        return problems;
    }
}
