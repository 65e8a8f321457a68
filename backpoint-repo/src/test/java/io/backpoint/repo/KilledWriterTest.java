package io.backpoint.repo;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.repo.storage.DirectoryStore;
import io.backpoint.repo.storage.ObjectInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer JVM SIGKILLed before each storage step of a snapshot in turn, from the first to the
 * last: after every kill the repository holds no snapshot or a complete, correct one, verify
 * passes, and gc removes exactly the leftovers (chunks of the dead writer, temporaries, its
 * lease marker).
 */
class KilledWriterTest {
    private static final Duration LEASE = Duration.ofSeconds(1);

    @TempDir
    Path tmp;

    @Test
    void aWriterKilledAtAnyStepLeavesNoSnapshotOrACompleteOne() throws Exception {
        String expected = Disks.sha256(CrashingWriter.data());
        int completeAfterKill = 0;
        int crashAt = 1;
        for (; crashAt < 200; crashAt++) {
            Path root = tmp.resolve("repo-" + crashAt);
            Repository.init(new DirectoryStore(root), CrashingWriter.CHUNK, Compression.ZSTD).close();
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashingWriter.class.getName(), root.toString(),
                    Integer.toString(crashAt)).redirectErrorStream(true).start();
            String output = new String(child.getInputStream().readAllBytes());
            assertThat(child.waitFor(2, TimeUnit.MINUTES)).isTrue();
            int exit = child.exitValue();
            assertThat(exit).as("child output: %s", output).isIn(0, 137);
            DirectoryStore store = new DirectoryStore(root);
            try (Repository repository = Repository.open(store, new Repository.Options(LEASE, Duration.ofSeconds(30),
                    Duration.ofSeconds(30)))) {
                List<Snapshot> snapshots = repository.snapshots(null);
                assertThat(snapshots).hasSizeLessThanOrEqualTo(1);
                assertThat(repository.manifests(null)).hasSameSizeAs(snapshots); // no unreadable manifest
                assertThat(new Verify(repository).run(List.of()).ok()).isTrue();
                if (!snapshots.isEmpty()) {
                    Path out = tmp.resolve("out-" + crashAt + ".raw");
                    new Restore(repository).disk(snapshots.get(0), "vda", out, "raw");
                    assertThat(Disks.sha256(out)).isEqualTo(expected);
                    Files.delete(out);
                    if (exit != 0) {
                        completeAfterKill++;
                    }
                }
                Thread.sleep(LEASE.toMillis() * 2); // the dead writer's lease and temporaries age out
                new GarbageCollector(repository).run();
                Set<String> referenced = new HashSet<>();
                snapshots.forEach(s -> s.disks().forEach(d -> d.chunks().stream().filter(c -> c != null)
                        .forEach(referenced::add)));
                assertThat(store.list(Layout.CHUNKS).stream().map(i -> Layout.chunkId(i.key()))
                        .collect(Collectors.toSet())).isEqualTo(referenced);
                assertThat(store.list(Layout.LOCKS)).isEmpty();
                try (Stream<Path> files = Files.walk(root)) {
                    assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")))
                            .as("temporary files left after gc").isEmpty();
                }
                assertThat(store.list("").stream().map(ObjectInfo::key)
                        .filter(k -> !k.startsWith(Layout.CHUNKS) && !k.startsWith(Layout.SNAPSHOTS)))
                        .containsExactly(Layout.CONFIG);
            }
            if (exit == 0) {
                break;
            }
        }
        // the loop went past every step: the last run completed without being killed
        assertThat(crashAt).isGreaterThan(20).isLessThan(200);
        assertThat(completeAfterKill).as("kills after the manifest was published").isPositive();
    }
}
