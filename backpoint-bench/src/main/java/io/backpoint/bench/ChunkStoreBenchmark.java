package io.backpoint.bench;

import io.backpoint.repo.Compression;
import io.backpoint.repo.DiskMode;
import io.backpoint.repo.DiskWriter;
import io.backpoint.repo.Repository;
import io.backpoint.repo.SnapshotWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-chunk write path of a backup ({@link DiskWriter#put}: zero check, SHA-256, encode,
 * store with fsync) on new 1 MiB chunks of random data, from a heap or a direct buffer, into a
 * repository on tmpfs (/dev/shm when there is one, so the disk does not blur the CPU cost).
 * {@link #sha256} of the same buffer is the baseline measured in the same run: the one hash a
 * stored chunk cannot do without, so put/sha256 is what the path costs above it. (Main before
 * the direct-buffer change hashed every stored chunk twice and copied it twice.)
 *
 * <p>Run: {@code java -jar backpoint-bench/target/benchmarks.jar ChunkStoreBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChunkStoreBenchmark {
    private static final int CHUNK = 1 << 20;

    @Param({"direct", "heap"})
    public String buffer;

    @Param({"ZSTD", "NONE"})
    public String compression;

    private Path dir;
    private Repository repository;
    private SnapshotWriter writer;
    private DiskWriter disk;
    private ByteBuffer data;
    private long counter;

    @Setup(Level.Iteration)
    public void open() throws IOException {
        Path shm = Path.of("/dev/shm");
        dir = Files.isDirectory(shm) ? Files.createTempDirectory(shm, "chunk-bench") : Files.createTempDirectory("chunk-bench");
        repository = Repository.init(dir.resolve("repo").toString(), CHUNK, Compression.valueOf(compression));
        writer = repository.newSnapshot("bench", null, Instant.now());
        disk = writer.disk("vda", 1L << 40, DiskMode.FULL, "benchmark", Optional.empty());
        byte[] random = new byte[CHUNK];
        new Random(1).nextBytes(random);
        data = buffer.equals("direct") ? ByteBuffer.allocateDirect(CHUNK) : ByteBuffer.allocate(CHUNK);
        data.put(random).flip();
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
        writer.close();
        repository.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /** A new chunk (its first 8 bytes a counter) through the whole write path. */
    @Benchmark
    public long put() {
        counter++;
        data.putLong(0, counter);
        return disk.put(counter % disk.chunkCount(), data.duplicate());
    }

    /** The baseline: SHA-256 of the same buffer, as put's own hash sees it. */
    @Benchmark
    public byte[] sha256() throws NoSuchAlgorithmException {
        counter++;
        data.putLong(0, counter);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(data.duplicate());
        return digest.digest();
    }
}
