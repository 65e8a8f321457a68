package io.backpoint.repo.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.api.Checkpoint;
import io.backpoint.repo.Compression;
import io.backpoint.repo.Repository;
import io.backpoint.repo.Snapshot;
import io.backpoint.repo.Verify;
import io.backpoint.testing.QemuTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup process SIGKILLed at every step (before begin, after begin, after the first and a
 * later chunk, before and after commit, after the older checkpoint's delete, after the checkpoint
 * cleanup, after the job's abort was accepted, after the job ended) and
 * after a series of delays. After each kill: every snapshot in the repository reads back with
 * every chunk checked, and a snapshot the killed process committed equals the disk; then the next
 * backup recovers (ends the left job, deletes the uncommitted checkpoint), leaves nothing behind,
 * and its snapshot equals the disk.
 */
@QemuTest
class CrashLoopQemuTest {
    private static final long MIB = BackupVm.MIB;

    @TempDir
    Path root;

    @Test
    void killedAtEveryStepAndAfterDelaysTheNextBackupIsCorrect() throws Exception {
        Map<String, Long> sizes = new TreeMap<>(Map.of("vda", 16 * MIB, "vdb", 16 * MIB));
        Path tmp = Files.createDirectories(root.resolve("tmp"));
        Path repoDir = root.resolve("repo");
        List<String[]> kills = new ArrayList<>();
        for (String step : List.of(Steps.BEFORE_BEGIN, Steps.BEGUN, Steps.CHUNK, Steps.BEFORE_COMMIT, Steps.COMMITTED,
                Steps.CHECKPOINT_DELETED, Steps.CLEANED, Steps.JOB_ABORTED, Steps.ENDED)) {
            kills.add(new String[] {step, "1"});
        }
        kills.add(new String[] {Steps.CHUNK, "4"});
        for (long delay : List.of(300L, 700L, 1200L, 2000L, 3000L, 5000L, 8000L)) {
            kills.add(new String[] {"delay", Long.toString(delay)});
        }
        try (BackupVm vm = new BackupVm(root, "vm1", sizes);
                Repository repo = Repository.init(repoDir.toString(), 256 << 10, Compression.ZSTD)) {
            BackupEngine engine = new BackupEngine(vm.connection(), repo, Clock.systemUTC(), tmp);
            vm.write("vda", 0, 4 * MIB, 0x10);
            engine.backup(new BackupOptions("vm1", List.of(), false), BackupListener.NONE);
            int round = 0;
            for (String[] kill : kills) {
                round++;
                vm.write("vda", (round % 12) * MIB, MIB, 0x20 + round);
                vm.write("vdb", ((round * 5) % 14) * MIB, 2 * MIB, 0x40 + round);
                int before = repo.snapshots("vm1").size();
                int status = runKilled(vm, repoDir, tmp, kill);
                String what = String.join(" ", kill);
                System.out.println("kill at " + what + ": exit " + status + ", snapshots " + before + " -> " + repo.snapshots("vm1").size());
                assertThat(status).as("backup process killed at %s", what).isIn(137, 0);
                List<Snapshot> all = repo.snapshots("vm1");
                Verify.Report report = new Verify(repo).run(List.of());
                assertThat(report.ok()).as("verify after a kill at %s: %s", what, report).isTrue();
                assertThat(report.snapshots()).isEqualTo(all.size());
                if (all.size() > before) {
                    BackupChecks.matchesModel(repo, all.get(all.size() - 1), vm);
                }
                Snapshot next = engine.backup(new BackupOptions("vm1", List.of(), false), BackupListener.NONE);
                BackupChecks.matchesModel(repo, next, vm);
                BackupChecks.nothingLeft(vm, tmp);
                assertThat(vm.domain().listCheckpoints(0)).as("after a kill at %s", what).extracting(Checkpoint::name)
                        .containsExactly(next.checkpointName());
            }
        }
    }

    private static int runKilled(BackupVm vm, Path repo, Path tmp, String[] kill) throws Exception {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashingBackup.class.getName(), vm.uri(), repo.toString(),
                "vm1", tmp.toString()));
        boolean delay = kill[0].equals("delay");
        if (!delay) {
            argv.addAll(List.of(kill));
        }
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(
                ProcessBuilder.Redirect.appendTo(tmp.getParent().resolve("crash.log").toFile())).start();
        if (delay && !p.waitFor(Long.parseLong(kill[1]), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly(); // SIGKILL
        }
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("backup process ended").isTrue();
        return p.exitValue();
    }
}
