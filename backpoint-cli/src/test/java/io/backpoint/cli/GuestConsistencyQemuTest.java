package io.backpoint.cli;

import static io.backpoint.cli.CliRun.assertOk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.cli.demo.GuestKit;
import io.backpoint.cli.demo.JournaledFiles;
import io.backpoint.qemu.agent.AgentException;
import io.backpoint.qemu.agent.FreezeStatus;
import io.backpoint.qemu.agent.GuestAgent;
import io.backpoint.qemu.agent.GuestFreeze;
import io.backpoint.repo.Repository;
import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * End to end on a real Linux guest (guest/build-guest.sh): its writer keeps creating files
 * (each fsync'd, then journaled with its checksum) while backups run; restored disks must hold
 * a sound file system with every journaled file intact, and boot. Quiesce goes through the
 * guest's real qemu-ga; freeze safety is proved with a killed process and a stopped agent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@QemuTest
class GuestConsistencyQemuTest {
    private Path root;
    private Path state;
    private String uri;

    @BeforeAll
    void bootTheGuest() throws Exception {
        Tools.assumeOnPath("qemu-system-x86_64", "qemu-img", "debugfs", "dumpe2fs", "e2fsck", "mkfs.ext4", "apt-cache",
                "dpkg-deb");
        GuestKit.build();
        root = Files.createTempDirectory("bp-guest");
        state = root.resolve("s");
        uri = "qemu:///embed?root=" + state;
        Path disk = GuestKit.dataDisk(root, "data", 256);
        Files.writeString(root.resolve("g.xml"), GuestKit.domainXml("g", disk, "qcow2", root.resolve("g.serial"), 3000, true));
        assertOk(cli("define", "g.xml"));
        long start = System.nanoTime();
        assertOk(cli("start", "g"));
        GuestKit.awaitConsole(root.resolve("g.serial"), "BP-READY", GuestKit.BOOT_LIMIT);
        System.out.printf("guest boot (start to BP-READY, TCG unless KVM): %d ms%n", (System.nanoTime() - start) / 1_000_000);
        try (GuestAgent agent = GuestKit.agent(state, "g")) {
            GuestKit.awaitJournal(agent, 20);
        }
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (uri == null) {
            return;
        }
        try (Connection conn = Connection.open(uri)) {
            for (Domain d : conn.listAllDomains()) {
                if (d.state().active()) {
                    d.destroy();
                }
            }
        }
        Process p = new ProcessBuilder("pgrep", "-a", "-f", root.toString()).redirectErrorStream(true).start();
        String found = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        assertThat(found.lines().filter(l -> !l.contains("pgrep")).toList()).as("processes of %s", root).isEmpty();
        GuestKit.run(List.of("rm", "-rf", root.toString()), Duration.ofMinutes(1));
    }

    @Test
    @Order(1)
    void theRealAgentPingsFreezesThawsAndRunsCommands() throws Exception {
        try (GuestAgent agent = GuestKit.agent(state, "g")) {
            agent.ping();
            assertThat(agent.freezeStatus()).isEqualTo(FreezeStatus.THAWED);
            assertThat(agent.freeze(Duration.ofMinutes(1))).isPositive();
            try {
                assertThat(agent.freezeStatus()).isEqualTo(FreezeStatus.FROZEN);
                // qemu-ga refuses what could write while frozen.
                assertThatThrownBy(() -> agent.exec("/bin/true", List.of())).isInstanceOf(AgentException.class);
            } finally {
                assertThat(agent.thaw(Duration.ofMinutes(1))).isPositive();
            }
            assertThat(agent.freezeStatus()).isEqualTo(FreezeStatus.THAWED);
            assertThat(GuestKit.sh(agent, "echo hello; grep -c ' /data ext4 ' /proc/mounts")).isEqualTo("hello\n1\n");
        }
    }

    @Test
    @Order(2)
    void quiescedBackupsRestoreToACleanFileSystemWithEveryJournaledFile() throws Exception {
        writeBackupXml("full.xml", null, "full.qcow2");
        Files.writeString(root.resolve("c1.xml"), "<domaincheckpoint><name>c1</name></domaincheckpoint>");
        assertOk(cli("backup-begin", "g", "full.xml", "c1.xml", "--quiesce", "--wait"));
        Duration fullWindow = GuestFreeze.lastWindow();
        try (GuestAgent agent = GuestKit.agent(state, "g")) {
            assertThat(agent.freezeStatus()).isEqualTo(FreezeStatus.THAWED);
            // Let the writer go on, so the incremental has new files to catch.
            int now = Integer.parseInt(GuestKit.sh(agent, "wc -l < /data/journal").strip());
            GuestKit.awaitJournal(agent, now + 10);
        }
        writeBackupXml("inc.xml", "c1", "inc.qcow2");
        Files.writeString(root.resolve("c2.xml"), "<domaincheckpoint><name>c2</name></domaincheckpoint>");
        assertOk(cli("backup-begin", "g", "inc.xml", "c2.xml", "--quiesce", "--wait"));
        System.out.printf("freeze windows (freeze sent to thaw answered): full %d ms, incremental %d ms%n",
                fullWindow.toMillis(), GuestFreeze.lastWindow().toMillis());
        assertThat(Files.exists(state.resolve("run/g/g.frozen"))).isFalse();

        assertOk(cli("restore", "--output", "r-full.raw", "full.qcow2"));
        assertOk(cli("restore", "--output", "r-inc.raw", "full.qcow2", "inc.qcow2"));
        int full = checkClean(root.resolve("r-full.raw"));
        int inc = checkClean(root.resolve("r-inc.raw"));
        assertThat(full).isPositive();
        assertThat(inc).isGreaterThanOrEqualTo(full + 10);
    }

    @Test
    @Order(2)
    void quiescedRepositoryBackupsRestoreToACleanFileSystem() throws Exception {
        assertOk(cli("repo-init", root.resolve("repo").toString()));
        assertOk(cli("backup", "g", "--repo", root.resolve("repo").toString(), "--quiesce"));
        try (GuestAgent agent = GuestKit.agent(state, "g")) {
            assertThat(agent.freezeStatus()).isEqualTo(FreezeStatus.THAWED);
            int now = Integer.parseInt(GuestKit.sh(agent, "wc -l < /data/journal").strip());
            GuestKit.awaitJournal(agent, now + 10);
        }
        CliRun inc = cli("backup", "g", "--repo", root.resolve("repo").toString(), "--quiesce");
        assertOk(inc);
        assertThat(inc.stdout() + inc.stderr()).contains("vda: incremental");
        assertOk(cli("restore", "--repo", root.resolve("repo").toString(), "g:latest", "--disk", "vda",
                "--output", root.resolve("r-repo.raw").toString()));
        assertThat(checkClean(root.resolve("r-repo.raw"))).isPositive();
    }

    /** A quiesced image needs no journal replay: the freeze left it clean, and the read-only check passes as it is. */
    private int checkClean(Path raw) throws Exception {
        assertThat(JournaledFiles.needsRecovery(raw)).as("%s needs a journal replay", raw).isFalse();
        GuestKit.Result fsck = GuestKit.status(List.of("e2fsck", "-fn", raw.toString()), Duration.ofMinutes(2));
        assertThat(fsck.status()).as("e2fsck -fn %s: %s%s", raw, fsck.out(), fsck.err()).isZero();
        return JournaledFiles.check(raw, root.resolve(raw.getFileName() + ".files"), false);
    }

    @Test
    @Order(3)
    void anUnquiescedBackupReplaysItsJournalAndKeepsEveryJournaledFile() throws Exception {
        writeBackupXml("crash.xml", null, "crash.qcow2");
        assertOk(cli("backup-begin", "g", "crash.xml", "--wait"));
        assertOk(cli("restore", "--output", "r-crash.raw", "crash.qcow2"));
        Path raw = root.resolve("r-crash.raw");
        // Caught mounted and unfrozen: the superblock asks for a replay (the quiesced test proves the freeze clears it).
        assertThat(JournaledFiles.needsRecovery(raw)).isTrue();
        GuestKit.Result before = GuestKit.status(List.of("e2fsck", "-fn", raw.toString()), Duration.ofMinutes(2));
        System.out.printf("unquiesced image before journal replay: e2fsck -fn exit %d%n", before.status());
        GuestKit.Result replay = GuestKit.status(List.of("e2fsck", "-p", raw.toString()), Duration.ofMinutes(2));
        // 0: clean, 1: errors corrected (the replay); anything else is damage.
        assertThat(replay.status()).as("e2fsck -p: %s%s", replay.out(), replay.err()).isIn(0, 1);
        GuestKit.Result after = GuestKit.status(List.of("e2fsck", "-fn", raw.toString()), Duration.ofMinutes(2));
        assertThat(after.status()).as("e2fsck -fn after replay: %s%s", after.out(), after.err()).isZero();
        assertThat(JournaledFiles.check(raw, root.resolve("crash.files"), true)).isPositive();
    }

    @Test
    @Order(4)
    void aRestoredDiskBootsAndTheGuestReadsItsFilesBack() throws Exception {
        Path raw = root.resolve("r-inc.raw");
        Assumptions.assumeTrue(Files.exists(raw), "the quiesced restore ran");
        Path disk = root.resolve("boot.raw");
        Files.copy(raw, disk);
        List<JournaledFiles.Entry> journaled = JournaledFiles.parse(
                Files.readString(root.resolve("r-inc.raw.files/journal"), StandardCharsets.ISO_8859_1), false);
        Files.writeString(root.resolve("r.xml"), GuestKit.domainXml("r", disk, "raw", root.resolve("r.serial"), 0, true));
        assertOk(cli("define", "r.xml"));
        assertOk(cli("start", "r"));
        try {
            String console = GuestKit.awaitConsole(root.resolve("r.serial"), "BP-READY", GuestKit.BOOT_LIMIT);
            assertThat(console).contains("BP-MOUNTED /dev/vda");
            try (GuestAgent agent = GuestKit.agent(state, "r")) {
                String journal = GuestKit.sh(agent, "cat /data/journal");
                assertThat(JournaledFiles.parse(journal, false)).isEqualTo(journaled);
                Map<String, String> sums = new LinkedHashMap<>();
                for (String line : GuestKit.sh(agent, "cd /data/w && sha256sum *").split("\n")) {
                    String[] f = line.split("\\s+");
                    sums.put(f[1], f[0]);
                }
                for (JournaledFiles.Entry e : journaled) {
                    assertThat(sums.get("f" + e.n())).as("f%d read back in the guest", e.n()).isEqualTo(e.sha256());
                }
            }
        } finally {
            assertOk(cli("destroy", "r"));
        }
    }

    @Test
    @Order(5)
    void quiesceWithoutAnAgentChannelIsRefusedBeforeAnythingIsCreated() throws Exception {
        Path disk = GuestKit.dataDisk(root, "noagent", 16);
        Files.writeString(root.resolve("n.xml"), GuestKit.domainXml("n", disk, "qcow2", root.resolve("n.serial"), 0, false));
        assertOk(cli("define", "n.xml"));
        assertOk(cli("start", "n"));
        try {
            CliRun r = cli("checkpoint-create-as", "n", "c", "--quiesce");
            assertThat(r.status()).isNotZero();
            assertThat(r.stderr()).startsWith("error: argument unsupported: QEMU guest agent is not configured");
            assertThat(cli("checkpoint-list", "n", "--name").stdout().strip()).isEmpty();
            Files.writeString(root.resolve("n-backup.xml"), "<domainbackup><disks><disk name='vda' type='file'><target file='"
                    + root.resolve("n.full.qcow2") + "'/></disk></disks></domainbackup>");
            CliRun b = cli("backup-begin", "n", "n-backup.xml", "--quiesce");
            assertThat(b.status()).isNotZero();
            assertThat(b.stderr()).startsWith("error: argument unsupported: QEMU guest agent is not configured");
            assertThat(root.resolve("n.full.qcow2")).doesNotExist();
            assertThat(cli("domjobinfo", "n").stdout()).contains("Job type:         None");
            assertOk(cli("repo-init", root.resolve("n-repo").toString()));
            CliRun repo = cli("backup", "n", "--repo", root.resolve("n-repo").toString(), "--quiesce");
            assertThat(repo.status()).isNotZero();
            assertThat(repo.stderr()).startsWith("error: argument unsupported: QEMU guest agent is not configured");
            try (Repository nRepo = Repository.open(root.resolve("n-repo").toString())) {
                assertThat(nRepo.snapshots(null)).isEmpty();
            }
            assertThat(cli("checkpoint-list", "n", "--name").stdout().strip()).isEmpty();
        } finally {
            assertOk(cli("destroy", "n"));
        }
    }

    @Test
    @Order(6)
    void aProcessKilledWhileTheGuestIsFrozenIsThawedByTheNextCall() throws Exception {
        writeBackupXml("killed.xml", null, "killed.qcow2");
        Process child = frozenChild("killed.xml");
        child.destroyForcibly(); // SIGKILL: nothing of the process runs any more
        assertThat(child.waitFor(1, TimeUnit.MINUTES)).isTrue();

        assertThat(state.resolve("run/g/g.frozen")).exists();
        try (GuestAgent agent = GuestKit.agent(state, "g")) {
            assertThat(agent.freezeStatus()).as("the killed process left the guest frozen").isEqualTo(FreezeStatus.FROZEN);
        }
        // Any call on the domain notices the record and thaws.
        CliRun next = cli("domjobinfo", "g");
        assertThat(next.status()).as(next.stderr()).isZero();
        try (GuestAgent agent = GuestKit.agent(state, "g")) {
            assertThat(agent.freezeStatus()).isEqualTo(FreezeStatus.THAWED);
        }
        assertThat(state.resolve("run/g/g.frozen")).doesNotExist();
        // The killed begin is taken back: no job, no target.
        assertThat(next.stdout()).contains("Job type:         None");
        assertThat(root.resolve("killed.qcow2")).doesNotExist();
    }

    @Test
    @Order(7)
    void aProcessStoppedBySigtermWhileTheGuestIsFrozenThawsOnItsWayOut() throws Exception {
        writeBackupXml("termed.xml", null, "termed.qcow2");
        Process child = frozenChild("termed.xml");
        child.destroy(); // SIGTERM: the JVM's shutdown hooks run
        assertThat(child.waitFor(2, TimeUnit.MINUTES)).isTrue();
        // No other call has run yet: the dying process thawed by itself.
        assertThat(state.resolve("run/g/g.frozen")).doesNotExist();
        try (GuestAgent agent = GuestKit.agent(state, "g")) {
            assertThat(agent.freezeStatus()).isEqualTo(FreezeStatus.THAWED);
        }
        assertThat(cli("domjobinfo", "g").stdout()).contains("Job type:         None");
        assertThat(root.resolve("termed.qcow2")).doesNotExist();
    }

    /** A child JVM beginning a quiesced backup, stopped dead while the guest is frozen. */
    private Process frozenChild(String backupXml) throws Exception {
        Process child = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
                "io.backpoint.qemu.agent.FreezeAndWaitMain", uri, "g", root.resolve(backupXml).toString())
                .redirectErrorStream(true).start();
        CompletableFuture<String> frozen = CompletableFuture.supplyAsync(() -> firstLine(child));
        assertThat(frozen.get(5, TimeUnit.MINUTES)).isEqualTo("FROZEN");
        return child;
    }

    @Test
    @Order(8)
    void anAgentThatHangsGivesAClearErrorAndNothingIsCreatedOrFrozen() throws Exception {
        try (GuestAgent agent = GuestKit.agent(state, "g")) {
            // The agent stops itself for a while (after its reply to this exec); the console says when.
            agent.exec("/bin/sh", List.of("-c", "sleep 1; kill -STOP $(pidof qemu-ga)"
                    + " && echo BP-AGENT-STOPPED > /dev/console; sleep 20; kill -CONT $(pidof qemu-ga);"
                    + " echo BP-AGENT-RESUMED > /dev/console"));
        }
        GuestKit.awaitConsole(root.resolve("g.serial"), "BP-AGENT-STOPPED", Duration.ofMinutes(1));
        String before = cli("checkpoint-list", "g", "--name").stdout();
        System.setProperty("backpoint.agent.timeout", "3");
        CliRun r;
        try {
            r = cli("checkpoint-create-as", "g", "hung", "--quiesce");
        } finally {
            System.clearProperty("backpoint.agent.timeout");
        }
        assertThat(r.status()).isNotZero();
        assertThat(r.stderr()).startsWith("error: Guest agent is not responding: the guest agent did not answer guest-sync-delimited in time")
                .contains("did not answer guest-sync-delimited in time");
        assertThat(cli("checkpoint-list", "g", "--name").stdout()).isEqualTo(before);
        assertThat(state.resolve("run/g/g.frozen")).doesNotExist();
        GuestKit.awaitConsole(root.resolve("g.serial"), "BP-AGENT-RESUMED", Duration.ofMinutes(2));
        try (GuestAgent agent = GuestKit.agent(state, "g")) {
            assertThat(agent.freezeStatus()).isEqualTo(FreezeStatus.THAWED);
        }
        // And once it answers again, quiesce works.
        assertOk(cli("checkpoint-create-as", "g", "after", "--quiesce"));
    }

    private void writeBackupXml(String file, String incremental, String target) throws IOException {
        Files.writeString(root.resolve(file), "<domainbackup>"
                + (incremental == null ? "" : "<incremental>" + incremental + "</incremental>")
                + "<disks><disk name='vda' type='file'><target file='" + root.resolve(target)
                + "'/><driver type='qcow2'/></disk></disks></domainbackup>");
    }

    private static String firstLine(Process p) {
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.equals("FROZEN") || line.equals("NOT KILLED")) {
                    return line;
                }
                seen.append(line).append('\n');
            }
            return "child ended without freezing:\n" + seen;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private CliRun cli(String... words) {
        return CliRun.on(root, uri, words);
    }
}
