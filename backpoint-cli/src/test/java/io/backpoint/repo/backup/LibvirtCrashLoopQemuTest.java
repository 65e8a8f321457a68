package io.backpoint.repo.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpoint.testing.QemuTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository backup through libvirtd ({@code qemu:///system}) SIGKILLed at every step of
 * {@link Steps} (each libvirt call of the backup: before and after backup-begin, the first and a
 * later chunk read over NBD, before and after the manifest's commit, after the older checkpoint's
 * delete, after the cleanup, after domjobabort was accepted, after the job ended), at two steps of
 * the backup that recovers from a killed one (while it aborts the job left running, between its
 * deletes of two older checkpoints), and after delays spread over the whole backup, picked from the
 * steps' times in a timed run of the same backup on this machine (so they land in begin, in the
 * copy, in commit and in cleanup whatever the machine's speed), and right after the backup
 * redefined the base checkpoint whose metadata libvirt had lost.
 *
 * <p>After each kill, with real tools (the backpoint command in a JVM of its own, virsh): verify
 * passes; the killed run published nothing when killed before its commit, one complete snapshot
 * (restored equal to the disks) when killed after it; the base checkpoint is still there. Then
 * the next backup: incremental from the last committed snapshot's checkpoint on every disk, its
 * restore equals the model of the guest's writes; afterwards no libvirt job, the bitmaps in QEMU
 * are exactly those of the domain's checkpoints, no work directory, NBD socket, scratch or other
 * file in the work directory, exactly one checkpoint of the repository's (the user's own one
 * untouched), and no temporary or lease marker in the repository but those the killed runs left.
 * Those wait for gc (a writer still at work cannot be told from a killed one before its lease is
 * over): at the end, gc removes them all once their lease is over, and verify still passes.
 */
@QemuTest
class LibvirtCrashLoopQemuTest {
    private static final long MIB = 1L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER_CHECKPOINT = "users-own";
    private static final Pattern STEP_LINE = Pattern.compile("^" + CrashingBackup.STEP + "(\\S+) (\\d+)$", Pattern.MULTILINE);
    private static final Pattern BITMAP = Pattern.compile("<disk name='([^']+)' checkpoint='bitmap' bitmap='([^']+)'");
    /** Kills at these steps are after the commit: the killed run must have published its snapshot. */
    private static final Set<String> AFTER_COMMIT = Set.of(Steps.COMMITTED, Steps.CHECKPOINT_DELETED, Steps.CLEANED,
            Steps.JOB_ABORTED, Steps.ENDED);

    @TempDir
    Path root;

    private ChildCli cli;
    private Path repo;
    private int runs;
    private int restores;
    /** Snapshots in the repository: every backup adds one, a killed run zero or one. */
    private int published;

    /**
     * One kill: by the process itself at the n-th time it reaches a step (delay -1), or by this
     * test a delay after the process reached a step (after its start when step is null);
     * {@code publishes}: whether the killed run must have committed its snapshot (null: either).
     */
    record Point(String step, int n, long delayMillis, Boolean publishes) {
        static Point at(String step, int n) {
            return new Point(step, n, -1, AFTER_COMMIT.contains(step));
        }

        /** A step reached before the commit although its kind comes after one (the recovery's abort). */
        static Point beforeCommit(String step, int n) {
            return new Point(step, n, -1, false);
        }

        static Point after(String step, long millis) {
            return new Point(step, 1, millis, null);
        }

        boolean delayed() {
            return delayMillis >= 0;
        }

        @Override
        public String toString() {
            return !delayed() ? step + " #" + n : (step == null ? "start" : step) + " + " + delayMillis + " ms";
        }
    }

    /** What a killed run printed and how it ended. */
    record Run(int status, List<String[]> steps, long startMillis, long endMillis) {
        String lastStep() {
            return steps.isEmpty() ? "(no step)" : steps.get(steps.size() - 1)[0];
        }

        long at(String step, boolean last) {
            long t = -1;
            for (String[] s : steps) {
                if (s[0].equals(step)) {
                    t = Long.parseLong(s[1]) - startMillis;
                    if (!last) {
                        return t;
                    }
                }
            }
            return t;
        }
    }

    @Test
    void killedAtEveryStepAndAfterDelaysTheNextBackupHealsAndNothingIsLeft() throws Exception {
        LibvirtRepoVm.assumeReachable();
        long began = System.nanoTime();
        cli = new ChildCli(root, Map.of());
        repo = root.resolve("repo");
        ok(cli.run("repo-init", repo.toString(), "--chunk-size", "256K"));
        Map<String, Long> sizes = new TreeMap<>(Map.of("vda", 16 * MIB, "vdb", 16 * MIB));
        List<String> report = new ArrayList<>();
        try (LibvirtRepoVm vm = LibvirtRepoVm.start(root, "bp-lvcrash", sizes)) {
            vm.virshOk("checkpoint-create-as", vm.name(), USER_CHECKPOINT);
            vm.write("vda", 0, 4 * MIB, 0x10);
            JsonNode committed = backup(vm, null, "first backup");
            assertThat(snapshots()).hasSize(published);

            // A run of the same backup, not killed, times the steps on this machine.
            writeRound(vm, 0);
            Run timed = runKilled(vm, null);
            assertThat(timed.status()).as("the timed backup run").isZero();
            committed = afterKill(vm, "timed run", null, timed, committed, report);

            List<List<Point>> kills = new ArrayList<>();
            for (String step : List.of(Steps.BEFORE_BEGIN, Steps.BEGUN, Steps.CHUNK, Steps.BEFORE_COMMIT, Steps.COMMITTED,
                    Steps.CHECKPOINT_DELETED, Steps.CLEANED, Steps.JOB_ABORTED, Steps.ENDED)) {
                kills.add(List.of(Point.at(step, 1)));
            }
            kills.add(List.of(Point.at(Steps.CHUNK, 6)));
            // The backup after a kill at begun finds the left job and an uncommitted checkpoint:
            // killed while it aborts that job, and between its deletes of the two older checkpoints.
            kills.add(List.of(Point.at(Steps.BEGUN, 1), Point.beforeCommit(Steps.JOB_ABORTED, 1)));
            kills.add(List.of(Point.at(Steps.BEGUN, 1), Point.at(Steps.CHECKPOINT_DELETED, 1)));
            kills.addAll(delays(timed).stream().map(List::of).toList());

            int round = 0;
            for (List<Point> chain : kills) {
                round++;
                writeRound(vm, round);
                for (Point p : chain) {
                    String what = chain.size() == 1 ? p.toString() : chain + ", this kill at " + p;
                    Run run = runKilled(vm, p);
                    committed = afterKill(vm, what, p, run, committed, report);
                }
                String what = chain.toString();
                vm.write("vdb", 15 * MIB, 512 << 10, 0x60 + round);
                committed = backup(vm, committed, what);
            }

            // libvirt lost the base checkpoint's metadata (the bitmaps stay): the backup redefines
            // it from the repository (libvirt's checkpoint-create --redefine), killed right after.
            // The redefined checkpoint must be there, and the next backup incremental from it.
            writeRound(vm, ++round);
            String what = "before-begin #1 after redefining the base checkpoint";
            vm.virshOk("checkpoint-delete", vm.name(), committed.path("checkpoint").asText(), "--metadata");
            assertThat(vm.checkpoints()).as("checkpoints once libvirt lost the base's").containsExactly(USER_CHECKPOINT);
            committed = afterKill(vm, what, Point.at(Steps.BEFORE_BEGIN, 1), runKilled(vm, Point.at(Steps.BEFORE_BEGIN, 1)),
                    committed, report);
            committed = backup(vm, committed, what);
            leftoversGoWithGc(vm, report);
        }
        report.add(String.format("%d killed runs; test took %d s", runs, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began)));
        report.forEach(System.out::println);
    }

    /** Guest writes before a round: some over data already backed up, on both disks. */
    private static void writeRound(LibvirtRepoVm vm, int round) throws IOException {
        vm.write("vda", (round % 12) * MIB, MIB, 0x20 + round);
        vm.write("vdb", ((round * 5) % 14) * MIB, 2 * MIB, 0x40 + round);
    }

    /**
     * Kills in the middle of each phase of the timed run, counted from the step that starts the
     * phase (not from the process's start: the JVM's start-up varies by more than the whole backup
     * takes): the start-up (connection, recovery, lease, work directory), libvirt's backup-begin,
     * the NBD connections and extent queries, the copy, the manifest's commit, libvirt's
     * checkpoint-delete, domjobabort, and the wait for the job's end.
     */
    private static List<Point> delays(Run timed) {
        List<Point> out = new ArrayList<>();
        out.add(Point.after(null, Math.max(1, timed.at(Steps.BEFORE_BEGIN, false) / 2)));
        for (String[] phase : List.of(new String[] {Steps.BEFORE_BEGIN, Steps.BEGUN}, new String[] {Steps.BEGUN, Steps.CHUNK},
                new String[] {Steps.CHUNK, "last " + Steps.CHUNK}, new String[] {Steps.BEFORE_COMMIT, Steps.COMMITTED},
                new String[] {Steps.COMMITTED, Steps.CHECKPOINT_DELETED}, new String[] {Steps.CLEANED, Steps.JOB_ABORTED},
                new String[] {Steps.JOB_ABORTED, Steps.ENDED})) {
            long from = timed.at(phase[0], false);
            boolean last = phase[1].startsWith("last ");
            long to = timed.at(last ? phase[1].substring(5) : phase[1], last);
            assertThat(from).as("the timed run reached %s", phase[0]).isNotNegative();
            assertThat(to).as("the timed run reached %s", phase[1]).isNotNegative();
            out.add(Point.after(phase[0], Math.max(1, (to - from) / 2)));
        }
        return out;
    }

    /**
     * The checks right after a killed run: verify passes; nothing published before the commit,
     * one snapshot equal to the disks after it; the base checkpoint kept. Returns the snapshot
     * the next backup must build on.
     */
    private JsonNode afterKill(LibvirtRepoVm vm, String what, Point p, Run run, JsonNode committed, List<String> report)
            throws Exception {
        int before = published;
        assertThat(run.status()).as("backup process killed at %s (landed after %s)", what, run.lastStep()).isIn(137, 0);
        if (p != null && !p.delayed()) {
            assertThat(run.status()).as("the kill at %s happened", what).isEqualTo(137);
            assertThat(run.lastStep()).as("the last step before the kill at %s", what).isEqualTo(p.step());
        }
        verifyPasses(what);
        List<JsonNode> after = snapshots();
        published = after.size();
        assertThat(after.size() - before).as("snapshots published by the run killed at %s", what).isIn(0, 1);
        if (p != null && p.publishes() != null) {
            assertThat(after.size() - before).as("snapshots published by the run killed at %s", what)
                    .isEqualTo(p.publishes() ? 1 : 0);
        }
        JsonNode base = committed;
        if (after.size() > before) {
            base = after.get(after.size() - 1);
            restoresTo(base, models(vm), what);
        }
        assertThat(vm.checkpoints()).as("checkpoints after a kill at %s", what)
                .contains(base.path("checkpoint").asText(), USER_CHECKPOINT);
        report.add(String.format("kill at %-40s exit %3d, last step %-18s published %d, repository temporaries %d", what,
                run.status(), run.lastStep(), after.size() - before, repoLeftovers().size()));
        return base;
    }

    /**
     * {@code backup --json}: every disk incremental from {@code base}'s checkpoint (full when there
     * is no base), restored equal to the model; then nothing left on the VM or in the work
     * directory, and exactly one checkpoint of the repository's.
     */
    private JsonNode backup(LibvirtRepoVm vm, JsonNode base, String what) throws Exception {
        List<Path> killedLeft = repoLeftovers();
        ChildCli.Result r = cli.run("-c", LibvirtRepoVm.URI, "backup", vm.name(), "--repo", repo.toString(), "--json");
        assertThat(r.status()).as("the backup after %s: %s", what, r).isZero();
        JsonNode s = JSON.readTree(r.stdout());
        published++;
        if (base != null) {
            String cp = base.path("checkpoint").asText();
            for (String d : vm.disks()) {
                assertThat(r.stderr()).as("the backup after %s is incremental from the last committed snapshot", what)
                        .contains(d + ": incremental from checkpoint '" + cp + "'");
            }
            for (JsonNode d : s.path("disks")) {
                assertThat(d.path("mode").asText()).as("after %s: %s", what, s).isEqualTo("incremental");
            }
        }
        restoresTo(s, models(vm), what);
        nothingLeft(vm, what);
        // The killed runs' leftovers wait for gc (a lease's time); a backup that ends adds none.
        assertThat(repoLeftovers()).as("temporaries and lease markers in the repository after the backup that followed %s",
                what).containsExactlyInAnyOrderElementsOf(killedLeft);
        assertThat(vm.checkpoints()).as("checkpoints after the backup that followed %s", what)
                .containsExactlyInAnyOrder(USER_CHECKPOINT, s.path("checkpoint").asText());
        return s;
    }

    /** No job, bitmaps exactly the checkpoints' ones, nothing at all in the work directory, no scratch. */
    private void nothingLeft(LibvirtRepoVm vm, String what) throws IOException {
        assertThat(vm.jobType()).as("libvirt job after %s (virsh domjobinfo)", what).isEqualTo("None");
        assertThat(qemuBitmaps(vm)).as("bitmaps in QEMU after %s equal the checkpoints' bitmaps", what)
                .isEqualTo(checkpointBitmaps(vm));
        try (Stream<Path> left = Files.list(cli.tmp())) {
            assertThat(left.map(Path::toString)).as("files in the work directory after %s", what).isEmpty();
        }
        vm.nothingLeft(cli.tmp());
    }

    /** disk -> bitmap names, as QEMU has them on each disk's node (query-block through virsh). */
    private static Map<String, Set<String>> qemuBitmaps(LibvirtRepoVm vm) throws IOException {
        JsonNode blocks = JSON.readTree(vm.virshOk("qemu-monitor-command", vm.name(), "{\"execute\":\"query-block\"}"));
        Map<String, Set<String>> out = new TreeMap<>();
        for (JsonNode b : blocks.path("return")) {
            // libvirt's qdev: /machine/peripheral/virtio-disk<index of the target name>/virtio-backend
            Matcher m = Pattern.compile("virtio-disk(\\d+)").matcher(b.path("qdev").asText());
            if (!m.find()) {
                continue;
            }
            String disk = "vd" + (char) ('a' + Integer.parseInt(m.group(1)));
            Set<String> names = new TreeSet<>();
            for (JsonNode bm : b.path("inserted").path("dirty-bitmaps")) {
                names.add(bm.path("name").asText());
            }
            out.put(disk, names);
        }
        return out;
    }

    /** disk -> the bitmap names the domain's checkpoints own (virsh checkpoint-dumpxml). */
    private static Map<String, Set<String>> checkpointBitmaps(LibvirtRepoVm vm) throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        for (String d : vm.disks()) {
            out.put(d, new TreeSet<>());
        }
        for (String cp : vm.checkpoints()) {
            String xml = vm.virshOk("checkpoint-dumpxml", vm.name(), cp, "--no-domain");
            Matcher m = BITMAP.matcher(xml);
            while (m.find()) {
                out.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
            }
        }
        return out;
    }

    /**
     * What killed writers leave in the repository (temporaries, lease markers) stays until gc,
     * which removes it only once a lease's time has passed (a writer may still be at work): the
     * files are made older than that, as time would, and gc must remove them all.
     */
    private void leftoversGoWithGc(LibvirtRepoVm vm, List<String> report) throws Exception {
        List<Path> left = repoLeftovers();
        FileTime old = FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS));
        for (Path f : left) {
            Files.setLastModifiedTime(f, old);
        }
        ChildCli.Result gc = cli.run("gc", "--repo", repo.toString(), "--json");
        ok(gc);
        report.add("before gc: " + left.size() + " temporaries and lease markers; gc: " + gc.stdout().strip());
        assertThat(repoLeftovers()).as("temporaries and lease markers after gc").isEmpty();
        verifyPasses("gc");
        List<JsonNode> all = snapshots();
        restoresTo(all.get(all.size() - 1), models(vm), "gc");
    }

    /** Temporary files (.tmp-*) and lease markers (locks/) in the repository. */
    private List<Path> repoLeftovers() throws IOException {
        try (Stream<Path> files = Files.walk(repo)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().startsWith(".tmp-") || repo.relativize(f).startsWith("locks"))
                    .toList();
        }
    }

    /** CrashingBackup (the backup engine, SIGKILLing itself at a step) in a JVM of its own on libvirtd. */
    private Run runKilled(LibvirtRepoVm vm, Point p) throws Exception {
        runs++;
        Files.createDirectories(cli.tmp());
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashingBackup.class.getName(), LibvirtRepoVm.URI,
                repo.toString(), vm.name(), cli.tmp().toString()));
        if (p != null && p.step() != null) {
            argv.addAll(List.of(p.step(), Integer.toString(p.n())));
        }
        Path log = root.resolve("crash-" + runs + ".log");
        long start = System.currentTimeMillis();
        Process proc = new ProcessBuilder(argv).redirectErrorStream(true).start();
        // The process's lines as they come: a delayed kill counts from the step it names.
        CountDownLatch reached = new CountDownLatch(p != null && p.delayed() && p.step() != null ? 1 : 0);
        Thread reader = new Thread(() -> {
            try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(proc.getInputStream()));
                    var copy = Files.newBufferedWriter(log)) {
                for (String line; (line = lines.readLine()) != null; ) {
                    copy.write(line);
                    copy.newLine();
                    if (reached.getCount() > 0 && line.startsWith(CrashingBackup.STEP + p.step() + " ")) {
                        reached.countDown();
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        reader.start();
        if (p != null && p.delayed()) {
            while (!reached.await(20, TimeUnit.MILLISECONDS) && proc.isAlive()) {
                // waiting for the step the delay counts from
            }
            if (reached.getCount() == 0 && !proc.waitFor(p.delayMillis(), TimeUnit.MILLISECONDS)) {
                proc.destroyForcibly(); // SIGKILL
            }
        }
        assertThat(proc.waitFor(300, TimeUnit.SECONDS)).as("backup process ended").isTrue();
        long end = System.currentTimeMillis();
        reader.join(TimeUnit.SECONDS.toMillis(30));
        List<String[]> steps = new ArrayList<>();
        Matcher m = STEP_LINE.matcher(Files.readString(log));
        while (m.find()) {
            steps.add(new String[] {m.group(1), m.group(2)});
        }
        return new Run(proc.exitValue(), steps, start, end);
    }

    private static Map<String, byte[]> models(LibvirtRepoVm vm) {
        Map<String, byte[]> models = new LinkedHashMap<>();
        for (String d : vm.disks()) {
            models.put(d, vm.model(d));
        }
        return models;
    }

    /** The whole VM restored (one command for every disk), each disk equal to its model. */
    private void restoresTo(JsonNode snapshot, Map<String, byte[]> models, String what) throws Exception {
        assertThat(snapshot.path("disks")).extracting(d -> d.path("name").asText())
                .containsExactlyInAnyOrderElementsOf(models.keySet());
        Path dir = root.resolve("restored-" + (++restores));
        ChildCli.Result r = cli.run("restore", "--repo", repo.toString(), snapshot.path("id").asText(), "--output-dir",
                dir.toString(), "--json");
        ok(r);
        JsonNode restored = JSON.readTree(r.stdout()).path("disks");
        assertThat(restored).extracting(d -> d.path("name").asText()).containsExactlyInAnyOrderElementsOf(models.keySet());
        for (JsonNode d : restored) {
            Path out = Path.of(d.path("path").asText());
            assertThat(d.path("format").asText()).isEqualTo("raw");
            assertThat(java.util.Arrays.equals(Files.readAllBytes(out), models.get(d.path("name").asText())))
                    .as("after %s: snapshot %s disk %s equals the disk as it was", what, snapshot.path("id").asText(),
                            d.path("name").asText())
                    .isTrue();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    private List<JsonNode> snapshots() throws Exception {
        ChildCli.Result r = cli.run("snapshots", "--repo", repo.toString(), "--json");
        ok(r);
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(r.stdout()).forEach(out::add);
        return out;
    }

    private void verifyPasses(String what) {
        ChildCli.Result r = cli.run("verify", "--repo", repo.toString());
        assertThat(r.status()).as("verify after a kill at %s: %s", what, r).isZero();
    }

    private static void ok(ChildCli.Result r) {
        assertThat(r.status()).as("%s", r).isZero();
    }
}
