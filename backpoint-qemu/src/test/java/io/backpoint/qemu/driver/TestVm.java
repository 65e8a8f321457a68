package io.backpoint.qemu.driver;

import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.qemu.process.Kvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small real VM for tests: qcow2 (and optionally raw) virtio disks, no guest OS, KVM when
 * usable and TCG otherwise, under qemu:///embed in a temporary directory.
 */
final class TestVm {
    static final long DISK_SIZE = 64L << 20;

    private TestVm() {}

    static void assumeQemu() {
        Assumptions.assumeTrue(onPath("qemu-system-x86_64") && onPath("qemu-img"),
                "qemu-system-x86_64 and qemu-img are needed");
    }

    static boolean onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, binary))) {
                return true;
            }
        }
        return false;
    }

    static String uri(Path root) {
        return "qemu:///embed?root=" + root;
    }

    /** Creates images and returns the domain XML: disks are "qcow2" or "raw", targets vda, vdb, ... */
    static String domainXml(String name, Path imageDir, String... formats) throws IOException, InterruptedException {
        StringBuilder disks = new StringBuilder();
        for (int i = 0; i < formats.length; i++) {
            String target = "vd" + (char) ('a' + i);
            Path image = imageDir.resolve(name + "-" + target + "." + formats[i]);
            run("qemu-img", "create", "-q", "-f", formats[i], image.toString(), Long.toString(DISK_SIZE));
            disks.append("    <disk type='file' device='disk'>\n")
                    .append("      <driver name='qemu' type='").append(formats[i]).append("'/>\n")
                    .append("      <source file='").append(image).append("'/>\n")
                    .append("      <target dev='").append(target).append("' bus='virtio'/>\n")
                    .append("    </disk>\n");
        }
        String type = Kvm.usable() ? "kvm" : "qemu";
        return "<domain type='" + type + "'>\n"
                + "  <name>" + name + "</name>\n"
                + "  <memory unit='MiB'>128</memory>\n"
                + "  <vcpu>1</vcpu>\n"
                + "  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n  </os>\n"
                + "  <devices>\n" + disks + "  </devices>\n"
                + "</domain>\n";
    }

    static Path image(Path imageDir, String name, String target, String format) {
        return imageDir.resolve(name + "-" + target + "." + format);
    }

    /** Writes through the guest's own block backend, as a guest write would. */
    static void guestWrite(Domain dom, int diskIndex, int pattern, long offset, long length) {
        String reply = dom.monitorCommand("qemu-io -d /machine/peripheral/virtio-disk" + diskIndex
                + "/virtio-backend \"write -P 0x" + Integer.toHexString(pattern) + " " + offset + " " + length + "\"", true);
        // QEMU 7.2's HMP qemu-io prints nothing on success (older ones print "wrote ..."); any
        // other text is an error message.
        if (!reply.isBlank() && !reply.contains("wrote")) {
            throw new AssertionError("guest write failed: " + reply);
        }
    }

    static String run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + " failed: " + out);
        }
        return out;
    }

    /** Destroys every running domain of the connection, so no QEMU outlives a test. */
    static void destroyAll(Connection conn) {
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
