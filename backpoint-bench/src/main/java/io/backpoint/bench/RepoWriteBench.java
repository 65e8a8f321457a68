package io.backpoint.bench;

import io.backpoint.repo.DiskMode;
import io.backpoint.repo.DiskWriter;
import io.backpoint.repo.Repository;
import io.backpoint.repo.Snapshot;
import io.backpoint.repo.SnapshotWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The repository's chunk write path on a raw image (read, zero check, SHA-256, zstd, store with
 * fsync), as a backup drives it: several chunks in flight. bench/repo.sh times it against
 * qemu-img convert of the same image.
 *
 * <p>java -cp backpoint-bench/target/benchmarks.jar io.backpoint.bench.RepoWriteBench REPO IMAGE DOMAIN [THREADS]
 */
public final class RepoWriteBench {
    private RepoWriteBench() {
    }

    public static void main(String[] args) throws IOException {
        String repo = args[0];
        Path image = Path.of(args[1]);
        String domain = args[2];
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : Math.max(2, Runtime.getRuntime().availableProcessors());
        long start = System.nanoTime();
        try (Repository repository = Repository.open(repo);
                FileChannel in = FileChannel.open(image, StandardOpenOption.READ);
                SnapshotWriter writer = repository.newSnapshot(domain, null, Instant.now())) {
            long size = in.size();
            DiskWriter disk = writer.disk("vda", size, DiskMode.FULL, "benchmark", Optional.empty());
            int chunkSize = repository.config().chunkSize();
            AtomicLong next = new AtomicLong();
            Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                workers[t] = new Thread(() -> {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(chunkSize);
                    for (long index = next.getAndIncrement(); index < disk.chunkCount(); index = next.getAndIncrement()) {
                        buffer.clear().limit(disk.chunkLength(index));
                        try {
                            while (buffer.hasRemaining()) {
                                if (in.read(buffer, index * chunkSize + buffer.position()) < 0) {
                                    throw new IOException("short image");
                                }
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        disk.put(index, buffer.flip());
                    }
                });
                workers[t].start();
            }
            for (Thread worker : workers) {
                worker.join();
            }
            Snapshot snapshot = writer.commit();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("snapshot %s: %d bytes read, %d stored, %.3f s%n", snapshot.id(),
                    snapshot.disks().get(0).bytesRead(), snapshot.disks().get(0).bytesStored(), seconds);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
