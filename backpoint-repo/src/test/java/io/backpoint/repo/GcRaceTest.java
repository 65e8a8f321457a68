package io.backpoint.repo;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.repo.storage.DirectoryStore;
import io.backpoint.repo.storage.ObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gc, prune and two backups of different domains on real threads at once. The backups keep
 * reusing a small pool of chunk contents, so they keep finding chunks that prune has just made
 * garbage: exactly the chunks a careless gc would delete under a running backup. Every snapshot
 * left at the end must restore to what was written.
 */
class GcRaceTest {
    private static final int CHUNK = 64 << 10;

    @TempDir
    Path tmp;

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void gcRacingBackupsLosesNothing() throws Exception {
        Path root = tmp.resolve("repo");
        race(() -> new DirectoryStore(root), Duration.ofSeconds(10), 40, tmp);
    }

    /**
     * Two domains' backups (snapshotsPerDomain each) through one store instance, prune and gc
     * through another, as two hosts would: nothing but the storage tells one about the other.
     */
    static void race(Callable<ObjectStore> stores, Duration lease, int snapshotsPerDomain, Path tmp) throws Exception {
        Repository.init(stores.call(), CHUNK, Compression.NONE).close();
        Repository.Options options = new Repository.Options(lease, Duration.ofSeconds(120), Duration.ofSeconds(120));
        byte[][] pool = new byte[10][];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = Disks.random(100 + i, CHUNK);
        }
        Map<String, String> expected = new ConcurrentHashMap<>(); // snapshot id -> sha256 of its disk
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger gcRuns = new AtomicInteger();
        AtomicLong gcDeleted = new AtomicLong();
        AtomicInteger commits = new AtomicInteger();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Repository repository = Repository.open(stores.call(), options);
                Repository gcView = Repository.open(stores.call(), options)) {
            List<Thread> threads = new java.util.ArrayList<>();
            for (String domain : List.of("vm1", "vm2")) {
                threads.add(new Thread(() -> {
                    Random random = new Random(domain.hashCode());
                    // At least snapshotsPerDomain each, and on until gc has run and deleted often
                    // enough that the race really happened, however fast this machine is.
                    for (int n = 0; !stop.get() && n < 10 * snapshotsPerDomain
                            && (n < snapshotsPerDomain || gcRuns.get() <= 5 || gcDeleted.get() <= 5); n++) {
                        // Backups come one after another with gaps, as scheduled ones do: two
                        // writers back to back would hold the repository for ever and starve gc.
                        sleep(random.nextInt((int) (lease.toMillis() / 10) + 1));
                        byte[] disk = new byte[4 * CHUNK];
                        for (int c = 0; c < 4; c++) {
                            System.arraycopy(pool[random.nextInt(pool.length)], 0, disk, c * CHUNK, CHUNK);
                        }
                        try (SnapshotWriter writer = repository.newSnapshot(domain, null,
                                Instant.parse("2026-01-01T00:00:00Z").plusSeconds(n * 60L))) {
                            DiskWriter dw = writer.disk("vda", disk.length, DiskMode.FULL, "test", Optional.empty());
                            for (int c = 0; c < 4; c++) {
                                dw.put(c, ByteBuffer.wrap(disk, c * CHUNK, CHUNK));
                                sleep(random.nextInt(8)); // a real backup reads the next chunk meanwhile
                            }
                            Snapshot s = writer.commit();
                            expected.put(s.id(), Disks.sha256(disk));
                            commits.incrementAndGet();
                            // The newest snapshot of a domain is never pruned (keep-last 1), so gc
                            // must leave every chunk it references.
                            Verify.Report report = new Verify(repository, 1).run(List.of(s.id()));
                            if (!report.ok()) {
                                failures.add(new AssertionError("snapshot " + s.id() + " lost chunks to gc: "
                                        + report.damagedChunks()));
                            }
                        }
                    }
                }, "writer-" + domain));
            }
            threads.add(new Thread(() -> {
                while (!stop.get()) {
                    for (String domain : List.of("vm1", "vm2")) {
                        new Prune(gcView).run(domain, new PrunePolicy(1, 0, 0, 0), false, ZoneOffset.UTC);
                    }
                }
            }, "pruner"));
            threads.add(new Thread(() -> {
                while (!stop.get()) {
                    // gc runs now and then, as a schedule would; one in a tight loop holds the
                    // repository nearly all the time and starves the backups it excludes.
                    sleep(lease.toMillis() / 20);
                    GarbageCollector.Report report = new GarbageCollector(gcView).run();
                    gcRuns.incrementAndGet();
                    gcDeleted.addAndGet(report.chunksDeleted());
                }
            }, "gc"));
            for (Thread thread : threads) {
                thread.setUncaughtExceptionHandler((t, e) -> {
                    failures.add(e);
                    stop.set(true);
                });
                thread.start();
            }
            threads.get(0).join();
            threads.get(1).join();
            stop.set(true);
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(failures).isEmpty();
            assertThat(commits.get()).isGreaterThanOrEqualTo(2 * snapshotsPerDomain);
            // the race really happened: gc ran many times and deleted chunks the writers then needed again
            assertThat(gcRuns.get()).isGreaterThan(5);
            assertThat(gcDeleted.get()).isGreaterThan(5);
            Verify.Report report = new Verify(repository).run(List.of());
            assertThat(report.damagedChunks()).isEmpty();
            assertThat(report.ok()).isTrue();
            List<Snapshot> left = repository.snapshots(null);
            assertThat(left).isNotEmpty();
            for (Snapshot s : left) {
                Path out = tmp.resolve(s.id() + ".raw");
                new Restore(repository).disk(s, "vda", out, "raw");
                assertThat(Disks.sha256(out)).isEqualTo(expected.get(s.id()));
                Files.delete(out);
            }
        }
    }
}
