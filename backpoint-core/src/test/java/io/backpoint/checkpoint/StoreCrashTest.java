package io.backpoint.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.backpoint.driver.CheckpointStore;
import io.backpoint.model.CheckpointDef;
import io.backpoint.xml.CheckpointParseFlag;
import io.backpoint.xml.CheckpointXml;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 while metadata is written: a child JVM ({@link StoreCrashWriter}) rewrites the same
 * checkpoint files in a loop and is killed at random moments; after every kill each file must
 * be exactly the old or the new version, and the store must load exactly the checkpoints,
 * never a leftover temporary file.
 */
class StoreCrashTest {
    private static final int KILLS = 40;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // a hang, not a speed limit: each kill starts a JVM
    void everyFileIsTheOldOrTheNewVersionAfterAKill() throws Exception {
        FileCheckpointStore initial = new FileCheckpointStore(dir);
        for (String name : StoreCrashWriter.NAMES) {
            initial.save(StoreCrashWriter.version(name, 'A'));
        }
        long seed = System.nanoTime();
        Random random = new Random(seed);
        long start = System.nanoTime();
        int kills = 0;
        int sawB = 0;
        int tempLeftovers = 0;
        while (kills < KILLS) {
            Process child = startWriter();
            awaitReady(child);
            // Most kills land in the first writes, some after many rounds; on a loaded machine an
            // fsync can take longer than the short delays, so one kill in five waits longer.
            long delayMicros = random.nextInt(5) == 0 ? random.nextInt(400_000) : random.nextInt(30_000);
            TimeUnit.MICROSECONDS.sleep(delayMicros);
            assertThat(child.isAlive()).as("writer still running before the kill (seed %d)", seed).isTrue();
            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            kills++;
            String context = "kill " + kills + " after " + delayMicros + " us (seed " + seed + ")";
            tempLeftovers += countTemporaryFiles();
            sawB += checkFiles(context);
            assertThat(countTemporaryFiles()).as("a load removes what a killed writer left").isZero();
        }
        // Proof that the writer really wrote: some kill found a file already at version B.
        assertThat(sawB).as("files seen at version B across all kills").isPositive();
        System.out.printf("StoreCrashTest: %d kills, %d files seen at B, %d temporary files left by kills, %.1f s%n",
                kills, sawB, tempLeftovers, (System.nanoTime() - start) / 1e9);
    }

    /** Checks every checkpoint file; returns how many are at version B. */
    private int checkFiles(String context) throws IOException {
        List<String> xmlFiles = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().endsWith(".xml"))
                    .forEach(f -> xmlFiles.add(f.getFileName().toString()));
        }
        List<String> expectedFiles = new ArrayList<>();
        for (String name : StoreCrashWriter.NAMES) {
            expectedFiles.add(name + ".xml");
        }
        assertThat(xmlFiles).as(context).containsExactlyInAnyOrderElementsOf(expectedFiles);

        int atB = 0;
        for (String name : StoreCrashWriter.NAMES) {
            String content = Files.readString(dir.resolve(name + ".xml"), StandardCharsets.UTF_8);
            String a = StoreCrashWriter.expectedFile(name, 'A');
            String b = StoreCrashWriter.expectedFile(name, 'B');
            if (content.equals(b)) {
                atB++;
            } else if (!content.equals(a)) {
                fail("%s: %s.xml is neither version A nor B (%d bytes)", context, name, content.length());
            }
            CheckpointDef parsed = CheckpointXml.parse(content, EnumSet.of(CheckpointParseFlag.REDEFINE), null);
            assertThat(parsed.name()).isEqualTo(name);
        }
        CheckpointStore.Loaded loaded = new FileCheckpointStore(dir).load();
        assertThat(loaded.problems()).as(context).isEmpty();
        assertThat(loaded.defs()).extracting(CheckpointDef::name).as(context)
                .containsExactlyInAnyOrderElementsOf(StoreCrashWriter.NAMES);
        return atB;
    }

    private int countTemporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return (int) files.filter(f -> f.getFileName().toString().endsWith(".tmp")).count();
        }
    }

    private Process startWriter() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java,
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx64m",
                "-cp", System.getProperty("java.class.path"),
                StoreCrashWriter.class.getName(), dir.toString());
        pb.redirectErrorStream(true);
        return pb.start();
    }

    private static void awaitReady(Process child) throws IOException, InterruptedException {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            if (line.equals("ready")) {
                return;
            }
            seen.append(line).append('\n');
        }
        child.waitFor(5, TimeUnit.SECONDS);
        fail("writer exited before it was ready:\n" + seen);
    }
}
