package io.backpoint.repo;

import io.backpoint.repo.storage.DirectoryStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Child JVM of {@link KilledWriterTest}: writes one snapshot and SIGKILLs itself just before
 * storage step number N (every file create, write, fsync, link, rename, directory fsync and
 * delete is a step). Exits 0 when the snapshot committed before step N came.
 */
public final class CrashingWriter {
    static final int CHUNK = 64 << 10;

    private CrashingWriter() {
    }

    static byte[] data() {
        byte[] data = Disks.random(42, 4 * CHUNK + 1000);
        java.util.Arrays.fill(data, CHUNK, 2 * CHUNK, (byte) 0); // one zero chunk, never stored
        return data;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int crashAt = Integer.parseInt(args[1]);
        AtomicInteger steps = new AtomicInteger();
        DirectoryStore store = new DirectoryStore(root, (step, key) -> {
            if (steps.incrementAndGet() == crashAt) {
                kill();
            }
        });
        // A long lease: no renewal runs during the short write, so the steps are the same every run.
        Repository.Options options = new Repository.Options(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(5));
        try (Repository repository = Repository.open(store, options);
                SnapshotWriter writer = repository.newSnapshot("vm1", "<domain/>", Instant.parse("2026-02-01T00:00:00Z"))) {
            byte[] data = data();
            DiskWriter disk = writer.disk("vda", data.length, DiskMode.FULL, "crash test", Optional.empty());
            for (int i = 0; i < disk.chunkCount(); i++) {
                disk.put(i, ByteBuffer.wrap(data, i * CHUNK, disk.chunkLength(i)));
            }
            writer.commit();
        }
        System.out.println("steps " + steps.get());
    }

    private static void kill() {
        try {
            new ProcessBuilder("kill", "-KILL", Long.toString(ProcessHandle.current().pid())).start().waitFor();
            Thread.sleep(60_000);
        } catch (IOException | InterruptedException e) {
            Runtime.getRuntime().halt(3);
        }
        Runtime.getRuntime().halt(4); // not killed: the test sees a wrong exit status
    }
}
