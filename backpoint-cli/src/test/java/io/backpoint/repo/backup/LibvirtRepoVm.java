package io.backpoint.repo.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpoint.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A persistent libvirt domain on {@code qemu:///system} with qcow2 disks in the test's directory
 * (no guest OS, TCG), and an independent model of each disk (the bytes the guest wrote). Everything
 * around the backups goes through virsh, not Backpoint: set-up, guest writes (HMP qemu-io through
 * the disk's own device, as on the daemonless driver), and the faults. Persistent, because a
 * transient domain vanishes with its checkpoint metadata when QEMU dies. Creating it first removes
 * a stale one of the same name (a killed run); closing destroys and undefines it.
 */
final class LibvirtRepoVm implements AutoCloseable {
    static final String URI = "qemu:///system";

    private final Path dir;
    private final String name;
    private final String uuid;
    private final Map<String, Path> images = new LinkedHashMap<>();
    private final Map<String, byte[]> models = new LinkedHashMap<>();

    private LibvirtRepoVm(Path dir, String name) {
        this.dir = dir;
        // One libvirtd serves every run on the host: the pid keeps two runs off each other's domains
        // (and a prefix, when given, tells whose they are).
        this.name = System.getProperty("backpoint.test.domainPrefix", "") + name + "-" + ProcessHandle.current().pid();
        this.uuid = UUID.nameUUIDFromBytes(this.name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Skips the test (an assumption) when libvirtd does not answer at qemu:///system. */
    static void assumeReachable() {
        boolean up;
        try {
            up = Tools.onPath("virsh") && run("virsh", "-c", URI, "list").status() == 0;
        } catch (IOException e) {
            up = false;
        }
        Assumptions.assumeTrue(up, "libvirtd is not reachable at " + URI + " (start it: sudo .ci/libvirtd start): test skipped");
    }

    /** Defines and starts the domain with one fresh image of {@code size} bytes per disk. */
    static LibvirtRepoVm start(Path dir, String name, Map<String, Long> disks) throws IOException {
        LibvirtRepoVm vm = new LibvirtRepoVm(dir, name);
        vm.removeQuietly();
        Files.createDirectories(dir.resolve("images"));
        for (var e : disks.entrySet()) {
            vm.addImage(e.getKey(), e.getValue());
        }
        vm.define();
        vm.virshOk("start", vm.name);
        return vm;
    }

    String name() {
        return name;
    }

    String uuid() {
        return uuid;
    }

    List<String> disks() {
        return List.copyOf(images.keySet());
    }

    /** A copy of what the guest has written to the disk so far. */
    byte[] model(String disk) {
        return models.get(disk).clone();
    }

    private void addImage(String disk, long size) throws IOException {
        Path image = dir.resolve("images").resolve(name + "-" + disk + ".qcow2");
        Files.deleteIfExists(image);
        ok(run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), Long.toString(size)), "qemu-img create");
        images.put(disk, image);
        models.put(disk, new byte[Math.toIntExact(size)]);
    }

    private void define() throws IOException {
        StringBuilder disks = new StringBuilder();
        for (var e : images.entrySet()) {
            disks.append("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='")
                    .append(e.getValue()).append("'/><target dev='").append(e.getKey()).append("' bus='virtio'/></disk>\n");
        }
        Path xml = dir.resolve(name + ".xml");
        Files.writeString(xml, "<domain type='qemu'><name>" + name + "</name><uuid>" + uuid + "</uuid>"
                + "<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
                + "<devices>\n" + disks + "</devices></domain>\n", StandardCharsets.UTF_8);
        virshOk("define", xml.toString());
    }

    void write(String disk, long offset, long length, int pattern) throws IOException {
        io(disk, "write -P 0x" + Integer.toHexString(pattern) + " " + offset + " " + length);
        Arrays.fill(models.get(disk), Math.toIntExact(offset), Math.toIntExact(offset + length), (byte) pattern);
    }

    private void io(String disk, String command) throws IOException {
        // libvirt's device alias: virtio-disk + the index of the target name (vda 0, vdb 1).
        int index = disk.charAt(disk.length() - 1) - 'a';
        Result r = virsh("qemu-monitor-command", name, "--hmp",
                "qemu-io -d /machine/peripheral/virtio-disk" + index + "/virtio-backend \"" + command + "\"");
        if (r.status() != 0 || r.stdout().contains("rror")) {
            throw new IOException("qemu-io " + command + " on " + disk + " failed: " + r);
        }
    }

    /**
     * SIGKILL to the domain's QEMU (libvirt marks the domain shut off, crashed), then starts it
     * again. The guest flushes first, as a real one does before it counts on its data.
     */
    void killQemuAndRestart() throws Exception {
        for (String d : disks()) {
            io(d, "flush");
        }
        Path pidFile = Path.of("/run/libvirt/qemu/" + name + ".pid");
        Assumptions.assumeTrue(Files.isReadable(pidFile), "libvirtd's pid file " + pidFile + " is not readable");
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        // libvirtd notices the death on its own (the monitor's EOF); start refuses until it has.
        while (!virsh("domstate", name).stdout().contains("shut off")) {
            assertThat(System.nanoTime()).as("libvirt noticed QEMU's death").isLessThan(deadline);
            Thread.sleep(50);
        }
        virshOk("start", name);
    }

    /** A clean stop (QEMU writes its persistent bitmaps to the images) and a start. */
    void restart() throws IOException {
        virshOk("destroy", name);
        virshOk("start", name);
    }

    /** Stops the domain cleanly, adds a disk to its definition and starts it again. */
    void addDisk(String disk, long size) throws IOException {
        virshOk("destroy", name);
        addImage(disk, size);
        define();
        virshOk("start", name);
    }

    /**
     * Removes a bitmap from the disk's image through the monitor, as QEMU loses one it created
     * when it is killed; only this disk's, which a crash cannot do. The node is looked up by the
     * disk's device, since libvirt names nodes by number.
     */
    void removeBitmap(String disk, String bitmap) throws IOException {
        String node = formatNode(disk);
        String reply = virshOk("qemu-monitor-command", name, "{\"execute\":\"block-dirty-bitmap-remove\",\"arguments\":"
                + "{\"node\":\"" + node + "\",\"name\":\"" + bitmap + "\"}}");
        if (reply.contains("\"error\"")) {
            throw new IOException("block-dirty-bitmap-remove " + bitmap + " on " + node + ": " + reply);
        }
    }

    /** The node name of the disk's top format node (query-block, by the disk's qdev path). */
    private String formatNode(String disk) throws IOException {
        int index = disk.charAt(disk.length() - 1) - 'a';
        JsonNode blocks = new ObjectMapper().readTree(virshOk("qemu-monitor-command", name, "{\"execute\":\"query-block\"}"));
        for (JsonNode b : blocks.path("return")) {
            if (b.path("qdev").asText().equals("/machine/peripheral/virtio-disk" + index + "/virtio-backend")) {
                return b.path("inserted").path("node-name").asText();
            }
        }
        throw new IOException("no block device for " + disk + " in " + blocks);
    }

    /** What QEMU reports of every node's bitmaps. */
    String namedBlockNodes() throws IOException {
        return virshOk("qemu-monitor-command", name, "{\"execute\":\"query-named-block-nodes\"}");
    }

    List<String> checkpoints() throws IOException {
        String out = virshOk("checkpoint-list", name, "--name");
        return out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /** What a rebuilt host or a careless admin does: libvirt forgets the checkpoints, the bitmaps stay. */
    void deleteCheckpointMetadata() throws IOException {
        for (String cp : checkpoints()) {
            virshOk("checkpoint-delete", name, cp, "--metadata");
        }
    }

    /** libvirt's job of the domain as virsh prints it. */
    String jobType() throws IOException {
        String out = virshOk("domjobinfo", name);
        return out.lines().filter(l -> l.startsWith("Job type:")).map(l -> l.substring("Job type:".length()).strip())
                .findFirst().orElse("?");
    }

    /** No job, no temporary bitmap, no scratch file or work directory left after a backup. */
    void nothingLeft(Path tmp) throws IOException {
        assertThat(jobType()).as("libvirt job of %s", name).isEqualTo("None");
        String nodes = virshOk("qemu-monitor-command", name, "{\"execute\":\"query-named-block-nodes\"}");
        assertThat(nodes).as("temporary bitmaps").doesNotContain("\"backup-");
        if (Files.isDirectory(tmp)) {
            try (Stream<Path> left = Files.list(tmp)) {
                assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(WorkDir.PREFIX)))
                        .as("work directories").isEmpty();
            }
        }
        try (Stream<Path> files = Files.list(dir.resolve("images"))) {
            assertThat(files.map(Path::toString).filter(n -> !n.endsWith(".qcow2") || n.contains("scratch")))
                    .as("scratch files").isEmpty();
        }
    }

    String virshOk(String... args) throws IOException {
        Result r = virsh(args);
        if (r.status() != 0) {
            throw new IOException("virsh " + String.join(" ", args) + " failed: " + r);
        }
        return r.stdout();
    }

    Result virsh(String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("virsh", "-c", URI));
        argv.addAll(List.of(args));
        return run(argv.toArray(String[]::new));
    }

    private void removeQuietly() throws IOException {
        virsh("destroy", name);
        virsh("undefine", name, "--checkpoints-metadata");
    }

    @Override
    public void close() throws IOException {
        removeQuietly();
    }

    record Result(String stdout, String stderr, int status) {
        @Override
        public String toString() {
            return "exit " + status + ": " + stdout + stderr;
        }
    }

    private static void ok(Result r, String what) throws IOException {
        if (r.status() != 0) {
            throw new IOException(what + " failed: " + r);
        }
    }

    /** Runs a tool (LC_ALL=C) with nothing on standard input, for at most two minutes. */
    static Result run(String... argv) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("LC_ALL", "C");
        Path out = Files.createTempFile("bp-lvrepo", ".out");
        Path err = Files.createTempFile("bp-lvrepo", ".err");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("did not finish in two minutes: " + List.of(argv));
            }
            return new Result(Files.readString(out), Files.readString(err), p.exitValue());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + List.of(argv), e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
