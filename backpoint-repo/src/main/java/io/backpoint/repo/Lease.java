package io.backpoint.repo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.repo.storage.ObjectInfo;
import io.backpoint.repo.storage.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A marker object that says "a backup (or gc) is running", renewed while it runs and ignored
 * once it has not been renewed for the lease time. Backups exclude gc and gc excludes backups,
 * with nothing but the store: each side writes its marker first and then lists the other side's
 * markers; since the store is read-after-write consistent, at least one of two racing sides sees
 * the other and backs off. Backups do not exclude each other. See README "gc and running backups".
 *
 * <p>gc gets its turn: while it waits for running backups to end it keeps a turn marker
 * ({@code locks/gcturn-*}) live, and a backup that starts meanwhile waits for that gc (for a bounded
 * time, the gc's own wait) instead of joining the running ones. Without it, backups that keep
 * overlapping hold the repository for ever and gc never runs. The marker only makes backups wait
 * longer; what excludes gc from a running backup's chunks is still the two leases.
 */
final class Lease implements AutoCloseable {
    static final String BACKUP = "backup";
    static final String GC = "gc";
    /** A gc waiting for its turn; not "gc-..." so that listing gc leases does not see it. */
    static final String GC_TURN = "gcturn";

    private final ObjectStore store;
    private final String key;
    private final byte[] content;
    private final Duration lease;
    private volatile long renewedNanos;
    private volatile boolean closed;
    private ScheduledFuture<?> renewal;

    private Lease(ObjectStore store, String key, byte[] content, Duration lease) {
        this.store = store;
        this.key = key;
        this.content = content;
        this.lease = lease;
    }

    /**
     * Takes a lease of {@code kind} once no live lease of {@code excludes} is there, waiting up to
     * {@code wait}; then renews it every quarter lease on {@code timer}. A gc announces itself with
     * a turn marker while it waits; a backup waits for an announced gc too, but for at most
     * {@code turn} (after that it goes ahead as if none were announced).
     */
    static Lease acquire(ObjectStore store, String kind, String excludes, String what, Duration lease, Duration wait,
            Duration turn, ScheduledExecutorService timer) throws IOException {
        String token = UUID.randomUUID().toString();
        byte[] content = marker(kind, what);
        Lease self = new Lease(store, Layout.lock(kind, token), content, lease);
        // Same token: the marker names the gc it announces.
        String turnKey = kind.equals(GC) ? Layout.lock(GC_TURN, token) : null;
        long start = System.nanoTime();
        long deadline = start + wait.toNanos();
        long turnDeadline = start + turn.toNanos();
        long backoffMillis = 20;
        try {
            while (true) {
                if (turnKey != null) {
                    // Rewritten on every attempt (at most a quarter lease apart), so it stays live
                    // exactly as long as this gc keeps trying.
                    store.put(turnKey, content);
                }
                Instant now = self.write();
                List<ObjectInfo> others = live(store, excludes, now, lease);
                if (others.isEmpty() && kind.equals(BACKUP) && System.nanoTime() < turnDeadline) {
                    others = live(store, GC_TURN, now, lease);
                }
                if (others.isEmpty()) {
                    long period = Math.max(1, lease.toMillis() / 4);
                    self.renewal = timer.scheduleWithFixedDelay(self::renew, period, period, TimeUnit.MILLISECONDS);
                    return self;
                }
                store.delete(self.key);
                if (System.nanoTime() > deadline) {
                    throw BackpointException.of(ErrorCode.RESOURCE_BUSY,
                            "repository '%s': %s is running (%s); try again when it has finished", store.location(),
                            excludes.equals(GC) ? "gc" : "a backup", describe(store, others.get(0)));
                }
                sleep(ThreadLocalRandom.current().nextLong(backoffMillis / 2, backoffMillis + 1));
                backoffMillis = Math.min(backoffMillis * 2, Math.max(40, lease.toMillis() / 4));
            }
        } finally {
            if (turnKey != null) {
                // Holding the lease or giving up, this gc no longer waits for its turn.
                deleteQuietly(store, turnKey);
            }
        }
    }

    private static byte[] marker(String kind, String what) {
        ObjectNode node = ManifestCodec.JSON.createObjectNode();
        node.put("kind", kind);
        node.put("what", what);
        node.put("host", hostName());
        node.put("pid", ProcessHandle.current().pid());
        return ManifestCodec.bytes(node);
    }

    private static void deleteQuietly(ObjectStore store, String key) {
        try {
            store.delete(key);
        } catch (IOException | UncheckedIOException e) {
            // A stale turn marker expires after a lease and is removed by the next gc.
        }
    }

    /** Markers of {@code kind} renewed within the lease before {@code now} (store time). */
    static List<ObjectInfo> live(ObjectStore store, String kind, Instant now, Duration lease) throws IOException {
        return store.list(Layout.LOCKS + kind + "-").stream()
                .filter(info -> info.lastModified().plus(lease).isAfter(now))
                .toList();
    }

    /** Markers of {@code kind} not renewed for a whole lease: their holder died. */
    static List<ObjectInfo> expired(ObjectStore store, String kind, Instant now, Duration lease) throws IOException {
        return store.list(Layout.LOCKS + kind + "-").stream()
                .filter(info -> !info.lastModified().plus(lease).isAfter(now))
                .toList();
    }

    /** Store time of the last write of this lease's marker. */
    Instant storeNow() throws IOException {
        return store.stat(key).map(ObjectInfo::lastModified)
                .orElseThrow(() -> new IOException("lease marker " + key + " disappeared"));
    }

    String key() {
        return key;
    }

    /**
     * Throws unless the lease was renewed recently enough that no other process can have taken
     * it for dead: called before every step that relies on the exclusion.
     */
    void check() {
        long age = System.nanoTime() - renewedNanos;
        if (closed || age > lease.toNanos() * 3 / 4) {
            throw BackpointException.of(ErrorCode.OPERATION_FAILED,
                    "repository '%s': lost the lease %s (not renewed for %d ms); nothing was published",
                    store.location(), key, age / 1_000_000);
        }
    }

    // close and renew are synchronized: a renewal that passed its closed check must not
    // re-create the marker after close deleted it.
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (renewal != null) {
            renewal.cancel(false);
        }
        try {
            store.delete(key);
        } catch (IOException e) {
            // An expired marker is ignored by everyone and removed by the next gc.
        }
    }

    private Instant write() throws IOException {
        long before = System.nanoTime();
        store.put(key, content);
        renewedNanos = before;
        return storeNow();
    }

    private synchronized void renew() {
        if (closed) {
            return;
        }
        try {
            long before = System.nanoTime();
            store.put(key, content);
            renewedNanos = before;
        } catch (IOException | UncheckedIOException e) {
            // check() fails once the lease is too old; the next attempt may succeed.
        }
    }

    private static String describe(ObjectStore store, ObjectInfo marker) {
        try {
            var node = ManifestCodec.JSON.readTree(store.get(marker.key()).orElse(new byte[0]));
            return node.path("what").asText("?") + " on " + node.path("host").asText("?") + " pid "
                    + node.path("pid").asText("?") + ", renewed " + marker.lastModified();
        } catch (IOException e) {
            return marker.key();
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BackpointException.of(ErrorCode.OPERATION_ABORTED, "interrupted while waiting for the repository");
        }
    }
}
