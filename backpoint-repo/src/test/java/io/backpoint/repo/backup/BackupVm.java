package io.backpoint.repo.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.qemu.testing.TestVm.Disk;
import io.backpoint.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real QEMU domain with qcow2 disks (no guest OS) under qemu:///embed, guest writes simulated
 * through the monitor, and an independent model of each disk: the bytes the guest wrote, kept in
 * memory, so a backup is checked against what the disk held, not against what Backpoint read.
 */
final class BackupVm implements AutoCloseable {
    static final long MIB = 1L << 20;

    private final Path root;
    private final String name;
    private final Map<String, Disk> images = new LinkedHashMap<>();
    private final Map<String, byte[]> models = new LinkedHashMap<>();
    private final Connection conn;

    BackupVm(Path root, String name, Map<String, Long> disks) throws Exception {
        TestVm.assumeQemu();
        this.root = root;
        this.name = name;
        Files.createDirectories(root.resolve("images"));
        this.conn = Connection.open(uri());
        for (var e : disks.entrySet()) {
            addImage(e.getKey(), e.getValue());
        }
        conn.defineDomain(xml());
        domain().start();
    }

    String uri() {
        return "qemu:///embed?root=" + root.resolve("state");
    }

    Connection connection() {
        return conn;
    }

    Domain domain() {
        return conn.domainByName(name);
    }

    String name() {
        return name;
    }

    List<String> disks() {
        return List.copyOf(images.keySet());
    }

    Path image(String disk) {
        return images.get(disk).image();
    }

    private void addImage(String disk, long size) throws Exception {
        images.put(disk, Disk.create(disk, TestVm.image(root.resolve("images"), name, disk, "qcow2"), "qcow2", size));
        models.put(disk, new byte[Math.toIntExact(size)]);
    }

    private String uuid;

    /**
     * TCG always: what these tests check does not depend on the accelerator, and a /dev/kvm that
     * comes and goes (seen on shared machines) cannot then fail them.
     */
    private String xml() {
        // discard='unmap': the guest's discards reach the image, as on a libvirt domain asking for them.
        return TestVm.domainXml("qemu", name, uuid, List.copyOf(images.values()))
                .replace("<driver name='qemu' type='qcow2'/>", "<driver name='qemu' type='qcow2' discard='unmap'/>");
    }

    /** Shuts the domain down cleanly, adds a disk to its definition and starts it again. */
    void addDisk(String disk, long size) throws Exception {
        uuid = domain().uuid();
        domain().destroy();
        addImage(disk, size);
        conn.defineDomain(xml());
        domain().start();
    }

    /** Undefines the domain (checkpoint metadata and all) and defines it again from the same XML, as a rebuilt host would. */
    void recreateDefinition() {
        domain().destroy();
        domain().undefine(true);
        conn.defineDomain(xml());
        domain().start();
    }

    /** SIGKILL to QEMU: its persistent bitmaps are left in-use (inconsistent); then it is started again. */
    void killQemuAndRestart() throws Exception {
        // The guest flushes first, as a real one does before it counts on its data: without it a
        // SIGKILL may lose recent writes (qcow2 metadata still in QEMU's cache), and the model
        // would describe a disk that never made it to the image.
        for (String disk : disks()) {
            io(disk, "flush", "");
        }
        long pid = Long.parseLong(Files.readString(root.resolve("state/run/" + name + "/" + name + ".pid")).trim());
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        domain().start();
    }

    /**
     * Leaves only this disk's persistent bitmaps inconsistent, as a crash leaves every disk's: the
     * domain is stopped cleanly (its bitmaps saved), the image alone is opened read-write by
     * qemu-io, which marks its bitmaps in use, and that process is SIGKILLed once the image says
     * so; then the domain is started again and QEMU loads them as inconsistent.
     */
    void crashOneImage(String disk) throws Exception {
        domain().destroy();
        String image = image(disk).toString();
        Process p = new ProcessBuilder("qemu-io", "-f", "qcow2", "-c", "sleep 600000", image).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
            while (!Tools.run("qemu-img", "info", "-U", "--output=json", image).contains("\"in-use\"")) {
                assertThat(p.isAlive()).as("qemu-io holds %s", image).isTrue();
                assertThat(System.nanoTime()).as("qemu-io marked the bitmaps of %s in use", image).isLessThan(deadline);
                Thread.sleep(50);
            }
        } finally {
            p.destroyForcibly();
            p.onExit().join();
        }
        domain().start();
    }

    /** Grows a disk while the domain runs (QMP block_resize); the new part reads as zeroes. */
    void resize(String disk, long size) {
        String reply = domain().monitorCommand("{\"execute\":\"block_resize\",\"arguments\":{\"node-name\":\"bp-"
                + disk + "-format\",\"size\":" + size + "}}", false);
        assertThat(reply).as("block_resize").doesNotContain("error");
        models.put(disk, Arrays.copyOf(models.get(disk), Math.toIntExact(size)));
    }

    void write(String disk, long offset, long length, int pattern) {
        io(disk, "write -P 0x" + Integer.toHexString(pattern) + " " + offset + " " + length, "wrote");
        Arrays.fill(models.get(disk), Math.toIntExact(offset), Math.toIntExact(offset + length), (byte) pattern);
    }

    void writeZeroes(String disk, long offset, long length) {
        io(disk, "write -z " + offset + " " + length, "wrote");
        Arrays.fill(models.get(disk), Math.toIntExact(offset), Math.toIntExact(offset + length), (byte) 0);
    }

    /** qcow2's cluster size (qemu-img's default): the unit in which a discard frees data. */
    static final long CLUSTER = 64 << 10;

    /**
     * A guest discard of whole clusters. The domain asks for discard='unmap', so QEMU passes it to
     * the qcow2 image, which drops those clusters: they read as zeroes afterwards (no backing file).
     * qcow2 ignores a discard of part of a cluster, so the model is kept exact by allowing only
     * whole clusters.
     */
    void discard(String disk, long offset, long length) {
        if (offset % CLUSTER != 0 || length % CLUSTER != 0) {
            throw new IllegalArgumentException("discard whole 64 KiB clusters only: " + offset + "+" + length);
        }
        io(disk, "discard " + offset + " " + length, "discarded");
        Arrays.fill(models.get(disk), Math.toIntExact(offset), Math.toIntExact(offset + length), (byte) 0);
    }

    /** The guest flushes the disk: its writes are in the image file. */
    void flush(String disk) {
        io(disk, "flush", "");
    }

    private void io(String disk, String command, String expect) {
        String reply = hmpIo(disk, command);
        // HMP returns qemu-io's output when it has any; an empty reply is a success.
        if (!reply.isBlank()) {
            assertThat(reply).as("qemu-io %s", command).contains(expect);
        }
    }

    private String hmpIo(String disk, String command) {
        int index = disks().indexOf(disk);
        return domain().monitorCommand("qemu-io -d /machine/peripheral/virtio-disk" + index + "/virtio-backend \""
                + command + "\"", true);
    }

    /** SHA-256 of what the guest has written to the disk so far. */
    String sha256(String disk) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(models.get(disk)));
    }

    /** A copy of the model, to compare a restore with later. */
    byte[] model(String disk) {
        return models.get(disk).clone();
    }

    @Override
    public void close() {
        try {
            TestVm.destroyAll(conn);
        } finally {
            conn.close();
        }
    }
}
