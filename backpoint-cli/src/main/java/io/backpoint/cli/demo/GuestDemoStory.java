package io.backpoint.cli.demo;

import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.qemu.agent.FreezeStatus;
import io.backpoint.qemu.agent.GuestAgent;
import io.backpoint.qemu.agent.GuestFreeze;
import io.backpoint.image.restore.ImageFormat;
import io.backpoint.image.restore.RestoreChain;
import io.backpoint.image.restore.Restorer;
import io.backpoint.vocab.BackupBeginFlag;
import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code demo --guest}: the backup story on a real Linux guest whose writer keeps creating files
 * (each fsync'd, then journaled with its checksum). Quiesced full and incremental backups and a
 * crash-consistent one are taken under that load, restored, and checked at the file level:
 * e2fsck, every journaled file intact, and the restored disk booted in a new domain whose guest
 * reads its files back.
 */
final class GuestDemoStory {
    private final Path dir;
    private final PrintStream out;
    private final StoryLog log;

    GuestDemoStory(Path dir, PrintStream out) {
        this.dir = dir;
        this.out = out;
        this.log = new StoryLog(out);
    }

    boolean run() throws Exception {
        out.printf("Backpoint guest demo in %s%n", dir);
        Path cache = GuestKit.build();
        log.step("guest kernel and initramfs from Debian packages: " + cache);
        Path state = dir.resolve("state");
        Path disk = GuestKit.dataDisk(dir, "data", 256);
        try (Connection conn = Connection.open("qemu:///embed?root=" + state)) {
            Domain dom = conn.defineDomain(GuestKit.domainXml("guest", disk, "qcow2", dir.resolve("guest.serial"), 3000, true));
            long t = System.nanoTime();
            dom.start();
            try {
                GuestKit.awaitConsole(dir.resolve("guest.serial"), "BP-READY", GuestKit.BOOT_LIMIT);
                log.step(String.format("guest booted in %.1fs (ext4 data disk on /data, qemu-ga, writer running)", StoryLog.secs(t)));
                story(conn, dom, state);
            } finally {
                for (Domain d : conn.listAllDomains()) {
                    if (d.state().active()) {
                        d.destroy();
                    }
                }
            }
        }
        return log.summary();
    }

    private void story(Connection conn, Domain dom, Path state) throws Exception {
        int files;
        try (GuestAgent agent = GuestKit.agent(state, "guest")) {
            files = GuestKit.awaitJournal(agent, 20);
        }
        log.step("the guest's writer has journaled " + files + " files");

        Duration full = push(dom, "full", null, "c1", true);
        log.step(String.format("quiesced full push backup with checkpoint c1 (file systems frozen %d ms)", full.toMillis()));
        try (GuestAgent agent = GuestKit.agent(state, "guest")) {
            log.check(agent.freezeStatus() == FreezeStatus.THAWED, "guest thawed after the backup", "guest left frozen");
            int now = Integer.parseInt(GuestKit.sh(agent, "wc -l < /data/journal").strip());
            files = GuestKit.awaitJournal(agent, now + 10);
        }
        log.step("the writer went on: " + files + " files journaled");
        Duration inc = push(dom, "inc", "c1", "c2", true);
        log.step(String.format("quiesced incremental push backup since c1 with c2 (frozen %d ms)", inc.toMillis()));
        push(dom, "crash", null, null, false);
        log.step("unquiesced (crash-consistent) full push backup");

        Path fullRaw = restore("restored-full.raw", "full");
        Path incRaw = restore("restored-inc.raw", "full", "inc");
        Path crashRaw = restore("restored-crash.raw", "crash");
        log.step("restored the three points with 'backpoint restore's engine");

        int fullFiles = quiescedChecks(fullRaw, "full");
        int incFiles = quiescedChecks(incRaw, "full + incremental");
        log.check(incFiles > fullFiles, "the incremental point holds more files (" + incFiles + ") than the full (" + fullFiles + ")",
                "the incremental point holds " + incFiles + " files, the full " + fullFiles);

        log.check(JournaledFiles.needsRecovery(crashRaw), "crash-consistent restore: caught mounted, it asks for a journal"
                + " replay (needs_recovery)", "crash-consistent restore: no needs_recovery, so this was not a crash-consistent image");
        int before = GuestKit.status(List.of("e2fsck", "-fn", crashRaw.toString()), Duration.ofMinutes(2)).status();
        int replay = GuestKit.status(List.of("e2fsck", "-p", crashRaw.toString()), Duration.ofMinutes(2)).status();
        int after = GuestKit.status(List.of("e2fsck", "-fn", crashRaw.toString()), Duration.ofMinutes(2)).status();
        log.check(replay <= 1 && after == 0, "crash-consistent restore: e2fsck -p replays the journal (e2fsck -fn before: exit "
                + before + "), then checks clean", "crash-consistent restore: e2fsck -p exit " + replay + ", then -fn exit " + after);
        journaledFiles(crashRaw, "crash-consistent", true);

        Path boot = dir.resolve("boot.raw");
        Files.copy(incRaw, boot);
        Domain restored = conn.defineDomain(GuestKit.domainXml("restored", boot, "raw", dir.resolve("restored.serial"), 0, true));
        long t = System.nanoTime();
        restored.start();
        GuestKit.awaitConsole(dir.resolve("restored.serial"), "BP-READY", GuestKit.BOOT_LIMIT);
        log.step(String.format("booted the restored disk in a new domain in %.1fs", StoryLog.secs(t)));
        try (GuestAgent agent = GuestKit.agent(state, "restored")) {
            List<JournaledFiles.Entry> entries = JournaledFiles.parse(GuestKit.sh(agent, "cat /data/journal"), false);
            Map<String, String> sums = new HashMap<>();
            for (String line : GuestKit.sh(agent, "cd /data/w && sha256sum *").split("\n")) {
                String[] f = line.split("\\s+");
                sums.put(f[1], f[0]);
            }
            long bad = entries.stream().filter(e -> !e.sha256().equals(sums.get("f" + e.n()))).count();
            log.check(!entries.isEmpty() && bad == 0, "the restored guest reads its " + entries.size() + " journaled files back intact",
                    bad + " of " + entries.size() + " files read back in the restored guest are wrong");
        }
        restored.destroy();
    }

    private Duration push(Domain dom, String name, String since, String checkpoint, boolean quiesce) throws Exception {
        String xml = "<domainbackup>" + (since == null ? "" : "<incremental>" + since + "</incremental>")
                + "<disks><disk name='vda' type='file'><target file='" + dir.resolve(name + ".qcow2")
                + "'/><driver type='qcow2'/></disk></disks></domainbackup>";
        String chk = checkpoint == null ? null : "<domaincheckpoint><name>" + checkpoint + "</name></domaincheckpoint>";
        Set<BackupBeginFlag> flags = quiesce ? EnumSet.of(BackupBeginFlag.QUIESCE) : EnumSet.noneOf(BackupBeginFlag.class);
        dom.backupBegin(xml, chk, flags);
        Duration window = quiesce ? GuestFreeze.lastWindow() : Duration.ZERO;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (dom.jobInfo(false).type() != JobType.NONE && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        JobInfo end = dom.jobInfo(true);
        log.check(end.type() == JobType.COMPLETED, name + " backup completed", name + " backup ended " + end.type());
        return window;
    }

    private Path restore(String output, String... backups) {
        List<Path> chain = new ArrayList<>();
        for (String b : backups) {
            chain.add(dir.resolve(b + ".qcow2"));
        }
        Path out = dir.resolve(output);
        new Restorer().restore(RestoreChain.check(chain), out, ImageFormat.RAW, f -> { });
        return out;
    }

    private int quiescedChecks(Path raw, String what) throws Exception {
        log.check(!JournaledFiles.needsRecovery(raw), "quiesced " + what + " restore: the freeze left the file system clean"
                + " (no needs_recovery)", "quiesced " + what + " restore: the file system needs a journal replay");
        GuestKit.Result fsck = GuestKit.status(List.of("e2fsck", "-fn", raw.toString()), Duration.ofMinutes(2));
        log.check(fsck.status() == 0, "quiesced " + what + " restore: e2fsck -fn clean with no journal replay",
                "quiesced " + what + " restore: e2fsck -fn exit " + fsck.status() + ": " + fsck.out().strip());
        return journaledFiles(raw, "quiesced " + what, false);
    }

    private int journaledFiles(Path raw, String what, boolean crashConsistent) {
        try {
            int n = JournaledFiles.check(raw, dir.resolve(raw.getFileName() + ".files"), crashConsistent);
            log.check(n > 0, what + " restore: all " + n + " journaled files present with their checksum and content",
                    what + " restore: the journal is empty");
            return n;
        } catch (AssertionError | Exception e) {
            log.check(false, "", what + " restore: " + e.getMessage());
            return 0;
        }
    }
}
