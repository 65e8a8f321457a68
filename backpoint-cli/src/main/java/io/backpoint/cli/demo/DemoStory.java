package io.backpoint.cli.demo;

import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.image.img.QemuImg;
import io.backpoint.image.restore.BackupRecord;
import io.backpoint.image.restore.ImageFormat;
import io.backpoint.image.restore.RestoreChain;
import io.backpoint.image.restore.Restorer;
import io.backpoint.repo.pull.PullCopy;
import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole Backpoint story on a real QEMU, each step checked against {@link DiskModel}s that
 * know what the guest wrote: a VM with two qcow2 disks, a full push backup with checkpoint c1,
 * an incremental push since c1 with c2, a pull-mode incremental since c2 read over NBD with its
 * dirty map while the guest keeps writing, and restores of each point compared by SHA-256; then
 * the repository story ({@link RepositoryChapter}).
 */
final class DemoStory {
    static final long DISK_SIZE = 64L << 20;
    private static final long MIB = 1 << 20;
    private static final List<String> DISKS = List.of("vda", "vdb");
    private static final QemuImg QEMU_IMG = new QemuImg();

    private final Path dir;
    private final PrintStream out;
    /** null: Backpoint's daemonless driver in DIR/state; else a libvirt URI (qemu:///system). */
    private final String uri;
    private final String name;
    private final StoryLog log;
    private final Map<String, DiskModel> models = new LinkedHashMap<>();
    private final Map<String, Path> live = new LinkedHashMap<>();
    private Domain dom;

    DemoStory(Path dir, PrintStream out, String uri) {
        this.dir = dir;
        this.out = out;
        this.uri = uri;
        // On libvirtd the domain sits beside the user's own: a name unlikely to be taken.
        this.name = uri == null ? "demo" : "backpoint-demo";
        this.log = new StoryLog(out);
    }

    /** Runs the story; true when every check held. */
    boolean run() throws Exception {
        boolean kvm = io.backpoint.qemu.process.Kvm.usable();
        out.printf("Backpoint demo in %s (%s)%n", dir, kvm ? "KVM" : "TCG: /dev/kvm is not usable");
        Path images = Files.createDirectories(dir.resolve("images"));
        Path backups = Files.createDirectories(dir.resolve("backups"));
        StringBuilder disks = new StringBuilder();
        for (String d : DISKS) {
            Path image = images.resolve(d + ".qcow2");
            QEMU_IMG.create(image, "qcow2", DISK_SIZE);
            live.put(d, image);
            models.put(d, new DiskModel(DISK_SIZE));
            disks.append("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='")
                    .append(image).append("'/><target dev='").append(d).append("' bus='virtio'/></disk>");
        }
        String xml = "<domain type='" + (kvm ? "kvm" : "qemu") + "'><name>" + name + "</name><memory unit='MiB'>128</memory>"
                + "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>" + disks
                + "</devices></domain>";
        try (Connection conn = Connection.open(uri == null ? "qemu:///embed?root=" + dir.resolve("state") : uri)) {
            dom = conn.defineDomain(xml);
            try {
                dom.start();
                step("defined and started domain '" + name + "' on " + conn.uri()
                        + ": vda and vdb, 64 MiB qcow2 each, no guest OS");
                story(backups);
            } finally {
                if (dom.state().active()) {
                    dom.destroy();
                }
                if (uri != null) {
                    // Leave the user's libvirtd as it was: the demo domain and its checkpoints go.
                    dom.undefine(true);
                }
            }
        }
        return log.summary();
    }

    private void story(Path backups) throws Exception {
        write("vda", 0, 8 * MIB, 0x11);
        write("vdb", 16 * MIB, 4 * MIB, 0x22);
        step("guest wrote 8 MiB to vda and 4 MiB to vdb");

        Map<String, String> point1 = snapshot();
        checkpointModels("c1");
        long t = System.nanoTime();
        dom.backupBegin(pushXml(null, backups, "full"), "<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
        JobInfo full = awaitPush();
        check(full.type() == JobType.COMPLETED, "full push backup completed", "full push backup ended " + full.type());
        record(backups, "full", "c1", null);
        step(String.format("full push backup with checkpoint c1: %s in %.2fs", mib(full.dataProcessed()), secs(t)));

        write("vda", 0, 1 * MIB, 0x33);
        write("vda", 32 * MIB, 2 * MIB, 0x44);
        write("vdb", 40 * MIB, 1 * MIB, 0x55);
        step("guest wrote 3 MiB to vda (1 MiB over old data) and 1 MiB to vdb");

        Map<String, String> point2 = snapshot();
        Map<String, Long> sinceC1 = new LinkedHashMap<>();
        for (String d : DISKS) {
            sinceC1.put(d, models.get(d).dirtyBytes("c1"));
        }
        checkpointModels("c2");
        t = System.nanoTime();
        dom.backupBegin(pushXml("c1", backups, "inc1"), "<domaincheckpoint><name>c2</name></domaincheckpoint>", 0);
        JobInfo inc = awaitPush();
        check(inc.type() == JobType.COMPLETED, "incremental push backup completed", "incremental push ended " + inc.type());
        record(backups, "inc1", "c2", "c1");
        step(String.format("incremental push backup since c1 with checkpoint c2: %s in %.2fs", mib(inc.dataProcessed()), secs(t)));
        for (String d : DISKS) {
            long allocated = allocatedBytes(backups.resolve(d + ".inc1.qcow2"));
            check(allocated == sinceC1.get(d), d + ".inc1.qcow2 holds only the " + mib(allocated) + " changed since c1",
                    d + ".inc1.qcow2 holds " + allocated + " bytes, " + sinceC1.get(d) + " changed since c1");
        }

        write("vda", 48 * MIB, 2 * MIB, 0x66);
        write("vdb", 0, 512 * 1024, 0x77);
        step("guest wrote 2 MiB to vda and 512 KiB to vdb");
        Map<String, String> point3 = snapshot();
        Map<String, Long> sinceC2 = new LinkedHashMap<>();
        for (String d : DISKS) {
            sinceC2.put(d, models.get(d).dirtyBytes("c2"));
        }
        pull(backups, sinceC2);

        List<Map<String, String>> points = List.of(point1, point2, point3);
        List<String> names = List.of("full", "inc1", "inc2");
        for (int p = 0; p < points.size(); p++) {
            for (String d : DISKS) {
                List<Path> chain = new ArrayList<>();
                for (int i = 0; i <= p; i++) {
                    chain.add(backups.resolve(d + "." + names.get(i) + ".qcow2"));
                }
                Path output = dir.resolve("restored-" + d + "-point" + (p + 1) + ".raw");
                t = System.nanoTime();
                new Restorer().restore(RestoreChain.check(chain), output, ImageFormat.RAW, f -> { });
                double restoreSeconds = secs(t);
                String sha = sha256(output);
                check(sha.equals(points.get(p).get(d)),
                        String.format("restore of %s at point %d (%d backups, %.2fs) is byte-identical (sha256 %s...)",
                                d, p + 1, chain.size(), restoreSeconds, sha.substring(0, 12)),
                        "restore of " + d + " at point " + (p + 1) + " differs from the disk at that backup");
                Files.delete(output);
            }
        }
        new RepositoryChapter(this, dom, dir, DISKS).run();
    }

    /** Pull-mode incremental since c2 with checkpoint c3, read over NBD while the guest keeps writing. */
    private void pull(Path backups, Map<String, Long> sinceC2) throws Exception {
        Path socket = dir.resolve("pull.sock");
        StringBuilder disks = new StringBuilder();
        for (String d : DISKS) {
            disks.append("<disk name='").append(d).append("' type='file'><scratch file='")
                    .append(dir.resolve("scratch-" + d + ".qcow2")).append("'/></disk>");
        }
        long t = System.nanoTime();
        dom.backupBegin("<domainbackup mode='pull'><incremental>c2</incremental><server transport='unix' socket='"
                + socket + "'/><disks>" + disks + "</disks></domainbackup>",
                "<domaincheckpoint><name>c3</name></domaincheckpoint>", 0);
        checkpointModels("c3");
        step("pull backup since c2 with checkpoint c3: exports vda and vdb on " + socket);

        // The guest keeps writing; the export must not see it.
        write("vda", 0, 4 * MIB, 0x88);
        write("vdb", 8 * MIB, 2 * MIB, 0x99);
        step("guest wrote 6 MiB more while the pull backup is open");

        for (String d : DISKS) {
            Path target = backups.resolve(d + ".inc2.qcow2");
            long t1 = System.nanoTime();
            // Like a push incremental, the pulled one refers to the live disk as its backing file.
            PullCopy.Result r = new PullCopy().copy(socket, d, "backup-" + d, target, BackupRecord.incremental(name, d,
                    "c3", "c2", DISK_SIZE, ImageFormat.QCOW2, System.currentTimeMillis() / 1000, live.get(d).toString()));
            check(r.listedBytes() == sinceC2.get(d),
                    "dirty map of " + d + " lists exactly the " + mib(r.listedBytes()) + " written since c2",
                    "dirty map of " + d + " lists " + r.listedBytes() + " bytes, " + sinceC2.get(d) + " were written since c2");
            step(String.format("copied %s of %s over NBD in %.2fs",
                    mib(r.copy().dataBytes() + r.copy().zeroBytes()), d, secs(t1)));
        }
        dom.abortJob();
        JobInfo ended = awaitEnd();
        check(ended.type() == JobType.COMPLETED, "pull backup ended by abort (COMPLETED, as libvirt reports it)",
                "pull backup ended " + ended.type());
        boolean clean = !Files.exists(socket);
        for (String d : DISKS) {
            clean &= !Files.exists(dir.resolve("scratch-" + d + ".qcow2"));
        }
        check(clean, "scratch files and the NBD socket are gone", "scratch files or the socket were left behind");
        step(String.format("pull backup done in %.2fs", secs(t)));
    }

    private String pushXml(String incremental, Path backups, String suffix) {
        StringBuilder sb = new StringBuilder("<domainbackup mode='push'>");
        if (incremental != null) {
            sb.append("<incremental>").append(incremental).append("</incremental>");
        }
        sb.append("<disks>");
        for (String d : DISKS) {
            sb.append("<disk name='").append(d).append("' type='file'><driver type='qcow2'/><target file='")
                    .append(backups.resolve(d + "." + suffix + ".qcow2")).append("'/></disk>");
        }
        return sb.append("</disks></domainbackup>").toString();
    }

    /** Writes the record restore checks a chain with, unless the backup code already did. */
    private void record(Path backups, String suffix, String checkpoint, String since) {
        for (String d : DISKS) {
            Path target = backups.resolve(d + "." + suffix + ".qcow2");
            if (BackupRecord.read(target).isPresent()) {
                continue;
            }
            long now = System.currentTimeMillis() / 1000;
            BackupRecord.write(target, since == null
                    ? BackupRecord.full(name, d, checkpoint, DISK_SIZE, ImageFormat.QCOW2, now)
                    : BackupRecord.incremental(name, d, checkpoint, since, DISK_SIZE, ImageFormat.QCOW2, now,
                            live.get(d).toString()));
        }
    }

    private JobInfo awaitPush() throws InterruptedException {
        return awaitEnd();
    }

    /** Waits for the current job to end and returns the completed job's info. */
    private JobInfo awaitEnd() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            JobInfo now = dom.jobInfo(false);
            if (now.type() == JobType.NONE || now.ended()) {
                return dom.jobInfo(true);
            }
            Thread.sleep(50);
        }
        return new JobInfo(JobType.FAILED, JobInfo.OPERATION_BACKUP, 0, 0, 0, 0, 0, "timed out after 120 s");
    }

    void write(String disk, long offset, long length, int pattern) {
        int index = DISKS.indexOf(disk);
        String reply = dom.monitorCommand("qemu-io -d /machine/peripheral/virtio-disk" + index
                + "/virtio-backend \"write -P 0x" + Integer.toHexString(pattern) + " " + offset + " " + length + "\"", true);
        if (!reply.isBlank() && !reply.contains("wrote")) {
            throw new IllegalStateException("guest write failed: " + reply.trim());
        }
        models.get(disk).write(offset, length, pattern);
    }

    Map<String, String> snapshot() {
        Map<String, String> shas = new LinkedHashMap<>();
        for (String d : DISKS) {
            shas.put(d, models.get(d).copy().sha256());
        }
        return shas;
    }

    private void checkpointModels(String name) {
        for (DiskModel m : models.values()) {
            m.checkpoint(name);
        }
    }

    /** Bytes allocated in the image itself (its backing file ignored). */
    private static long allocatedBytes(Path image) throws IOException {
        return QEMU_IMG.ownDataBytes(image);
    }

    void check(boolean ok, String what, String failure) {
        log.check(ok, what, failure);
    }

    void step(String what) {
        log.step(what);
    }

    static double secs(long since) {
        return StoryLog.secs(since);
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (double) MIB);
    }

    static String sha256(Path file) throws IOException {
        var md = DiskModel.digest();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
