package io.backpoint.qemu.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.qemu.process.Kvm;
import io.backpoint.testing.Tools;
import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Real VMs for tests: virtio disks on qcow2 or raw images, no guest OS, KVM when /dev/kvm opens
 * read-write and TCG otherwise, under qemu:///embed in a test's temporary directory. Also the
 * binaries the tests run beside them, and the cleanup that keeps a QEMU from outliving its test.
 */
public final class TestVm {
    public static final long MIB = 1L << 20;
    /** The disk size of {@link #domainXml(String, Path, String...)}. */
    public static final long DISK_SIZE = 64 * MIB;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestVm() {}

    /** Skips the test when the emulator is not installed; nothing else is a reason to skip. */
    public static void assumeQemu() {
        assumeTools("qemu-system-x86_64", "qemu-img");
    }

    /** Skips the test when one of the binaries is not installed. */
    public static void assumeTools(String... binaries) {
        for (String b : binaries) {
            Assumptions.assumeTrue(Tools.onPath(b), b + " is needed");
        }
    }

    /** The embedded driver's URI with its state under {@code root}. */
    public static String uri(Path root) {
        return "qemu:///embed?root=" + root;
    }

    /** "kvm" when KVM is usable, else "qemu" (TCG). */
    public static String domainType() {
        return Kvm.usable() ? "kvm" : "qemu";
    }

    /** {@link #domainXml(String, Path, long, String...)} with disks of {@link #DISK_SIZE}. */
    public static String domainXml(String name, Path imageDir, String... formats) throws IOException, InterruptedException {
        return domainXml(name, imageDir, DISK_SIZE, formats);
    }

    /**
     * Creates the images, {@link #image named} after the domain and target, and returns the domain
     * XML: disks are "qcow2" or "raw", targets vda, vdb, ... in the order given; 128 MiB of RAM.
     */
    public static String domainXml(String name, Path imageDir, long size, String... formats)
            throws IOException, InterruptedException {
        List<Disk> disks = new ArrayList<>();
        for (int i = 0; i < formats.length; i++) {
            String target = "vd" + (char) ('a' + i);
            disks.add(Disk.create(target, image(imageDir, name, target, formats[i]), formats[i], size));
        }
        return domainXml(name, disks);
    }

    /** One virtio disk of a test domain: target (vda, ...), image file, format ("qcow2" or "raw"). */
    public record Disk(String target, Path image, String format) {
        /** Creates the image, empty, of {@code size} bytes. */
        public static Disk create(String target, Path image, String format, long size)
                throws IOException, InterruptedException {
            Tools.run("qemu-img", "create", "-q", "-f", format, image.toString(), Long.toString(size));
            return new Disk(target, image, format);
        }
    }

    /** The XML of a domain with these disks (their images exist), no guest OS, 128 MiB of RAM. */
    public static String domainXml(String name, List<Disk> disks) {
        return domainXml(domainType(), name, null, disks);
    }

    /**
     * As {@link #domainXml(String, List)}, of this type ("kvm" or "qemu", see {@link #domainType()})
     * and with this UUID (null: the driver makes one).
     */
    public static String domainXml(String type, String name, String uuid, List<Disk> disks) {
        StringBuilder devices = new StringBuilder();
        for (Disk d : disks) {
            devices.append("    <disk type='file' device='disk'>\n")
                    .append("      <driver name='qemu' type='").append(d.format()).append("'/>\n")
                    .append("      <source file='").append(d.image()).append("'/>\n")
                    .append("      <target dev='").append(d.target()).append("' bus='virtio'/>\n")
                    .append("    </disk>\n");
        }
        return "<domain type='" + type + "'>\n"
                + "  <name>" + name + "</name>\n"
                + (uuid == null ? "" : "  <uuid>" + uuid + "</uuid>\n")
                + "  <memory unit='MiB'>128</memory>\n"
                + "  <vcpu>1</vcpu>\n"
                + "  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n  </os>\n"
                + "  <devices>\n" + devices + "  </devices>\n"
                + "</domain>\n";
    }

    /** The image {@link #domainXml(String, Path, long, String...)} creates for a target. */
    public static Path image(Path imageDir, String name, String target, String format) {
        return imageDir.resolve(name + "-" + target + "." + format);
    }

    /** Fills the start of an image no QEMU has open with data, through qemu-io. */
    public static void fill(Path image, String format, int pattern, long length) throws IOException, InterruptedException {
        Tools.run("qemu-io", "-f", format, "-c", "write -P 0x" + Integer.toHexString(pattern) + " 0 " + length, image.toString());
    }

    /**
     * The HMP command that writes through the guest's own block backend of the disk at this index
     * (virtio-disk0 is vda), as a guest write would: the write goes through the dirty bitmaps.
     */
    public static String guestWriteCommand(int diskIndex, int pattern, long offset, long length) {
        return "qemu-io -d /machine/peripheral/virtio-disk" + diskIndex + "/virtio-backend \"write -P 0x"
                + Integer.toHexString(pattern) + " " + offset + " " + length + "\"";
    }

    /** Fails unless the HMP reply of {@link #guestWriteCommand} says the write succeeded. */
    public static void checkGuestWrite(String reply) {
        // QEMU 7.2's HMP qemu-io prints nothing on success (older ones print "wrote ..."); any
        // other text is an error message.
        if (!reply.isBlank() && !reply.contains("wrote")) {
            throw new AssertionError("guest write failed: " + reply);
        }
    }

    /** A guest write on a domain of the driver, through its monitor passthrough. */
    public static void guestWrite(Domain dom, int diskIndex, int pattern, long offset, long length) {
        checkGuestWrite(dom.monitorCommand(guestWriteCommand(diskIndex, pattern, offset, length), true));
    }

    /** A QMP command through the monitor passthrough; returns its "return" value. */
    public static JsonNode qmp(Domain dom, String json) {
        try {
            JsonNode reply = JSON.readTree(dom.monitorCommand(json, false));
            return reply.has("return") ? reply.get("return") : reply;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Polls until no job is current, then returns the completed job's statistics (kept). */
    public static JobInfo awaitJobEnd(Domain dom, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (dom.jobInfo(false).type() != JobType.NONE) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("job did not end within " + timeoutMillis + " ms");
            }
            Thread.sleep(50);
        }
        return dom.jobInfo(true, true);
    }

    /** Destroys every running domain under this driver URI, so no QEMU outlives a test. */
    public static void destroyAll(String uri) {
        try (Connection conn = Connection.open(uri)) {
            destroyAll(conn);
        }
    }

    /** Destroys every running domain of the connection, so no QEMU outlives a test. */
    public static void destroyAll(Connection conn) {
        List<Throwable> errors = new ArrayList<>();
        for (Domain d : conn.listAllDomains()) {
            try {
                if (d.state().active()) {
                    d.destroy();
                }
            } catch (RuntimeException e) {
                errors.add(e);
            }
        }
        if (!errors.isEmpty()) {
            throw new AssertionError("cleanup failed: " + errors);
        }
    }
}
