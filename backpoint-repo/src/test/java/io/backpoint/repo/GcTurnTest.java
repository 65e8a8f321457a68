package io.backpoint.repo;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.repo.storage.DirectoryStore;
import io.backpoint.repo.storage.ObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gc gets its turn against backups that never stop overlapping: three writers, each starting its
 * next backup the moment the last one committed, so at every instant some backup holds a lease.
 * Without the turn marker gc waits its whole wait and fails busy; with it the new backups hold
 * off, the running ones end, gc runs, and the backups carry on. Nothing a backup references is
 * lost: every snapshot left verifies.
 */
class GcTurnTest {
    private static final int CHUNK = 64 << 10;

    @TempDir
    Path tmp;

    @Test
    void gcGetsItsTurnAgainstConstantlyOverlappingBackups() throws Exception {
        Path root = tmp.resolve("repo");
        // Long enough that a renewal late by seconds on a loaded machine does not lose a lease.
        turn(() -> new DirectoryStore(root), Duration.ofSeconds(8));
    }

    /** Writers through one store instance, gc through another, as on two hosts. */
    static void turn(Callable<ObjectStore> stores, Duration lease) throws Exception {
        Repository.init(stores.call(), CHUNK, Compression.NONE).close();
        // gc waits two leases for its turn; the writers hold each backup about a tenth of a lease.
        Duration gcWait = lease.multipliedBy(2);
        Repository.Options options = new Repository.Options(lease, Duration.ofMinutes(5), gcWait);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger commits = new AtomicInteger();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (Repository repository = Repository.open(stores.call(), options);
                Repository gcView = Repository.open(stores.call(), options)) {
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                String domain = "vm" + w;
                int seed = w;
                writers.add(new Thread(() -> {
                    Random random = new Random(seed);
                    for (int n = 0; !stop.get(); n++) {
                        try (SnapshotWriter writer = repository.newSnapshot(domain, null,
                                Instant.parse("2026-01-01T00:00:00Z").plusSeconds(n * 60L))) {
                            DiskWriter dw = writer.disk("vda", CHUNK, DiskMode.FULL, "test", Optional.empty());
                            dw.put(0, ByteBuffer.wrap(Disks.random(random.nextInt(4), CHUNK)));
                            Thread.sleep(lease.toMillis() / 20 + random.nextInt((int) (lease.toMillis() / 10)));
                            writer.commit();
                            commits.incrementAndGet();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "writer-" + w));
            }
            for (Thread t : writers) {
                t.setUncaughtExceptionHandler((th, e) -> failures.add(e));
                t.setDaemon(true); // a failed assertion must not leave them running
                t.start();
            }
            // Let the overlap build up, then prune everything but the newest per domain so gc has garbage.
            long warmUp = System.nanoTime() + lease.multipliedBy(10).toNanos();
            while (commits.get() < 12) {
                // A writer that died (a lost lease, say) would otherwise leave this waiting for ever.
                assertThat(failures).as("writers failed").isEmpty();
                assertThat(System.nanoTime()).as("12 commits within ten leases").isLessThan(warmUp);
                Thread.sleep(20);
            }
            for (int w = 0; w < 3; w++) {
                new Prune(gcView).run("vm" + w, new PrunePolicy(1, 0, 0, 0), false, java.time.ZoneOffset.UTC);
            }
            long before = commits.get();
            long started = System.nanoTime();
            GarbageCollector.Report report = new GarbageCollector(gcView).run();
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            // The backups carry on after gc's turn.
            long deadline = System.nanoTime() + lease.multipliedBy(10).toNanos();
            while (commits.get() < before + 6 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
            assertThat(failures).isEmpty();
            assertThat(tookMillis).as("gc got its turn within its wait").isLessThan(gcWait.toMillis() + lease.toMillis());
            assertThat(report.chunksKept()).isPositive();
            assertThat(commits.get()).as("backups went on after gc").isGreaterThanOrEqualTo((int) before + 6);
            Verify.Report verify = new Verify(repository).run(List.of());
            assertThat(verify.damagedChunks()).isEmpty();
            assertThat(verify.ok()).isTrue();
            assertThat(repository.store().list(Layout.LOCKS)).as("no marker left").isEmpty();
        }
    }
}
