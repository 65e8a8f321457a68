package io.backpoint.qemu.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.api.JobInfo;
import io.backpoint.api.JobType;
import io.backpoint.qemu.process.Kvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Real VMs for backup tests (no guest OS), under qemu:///embed in a temporary directory. */
final class BackupVm {
    static final long MIB = 1L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private BackupVm() {}

    static void assumeTools(String... binaries) {
        for (String b : binaries) {
            Assumptions.assumeTrue(onPath(b), b + " is needed");
        }
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

    /** Creates the images ("qcow2" or "raw", targets vda, vdb, ...) and returns the domain XML. */
    static String domainXml(String name, Path imageDir, long size, String... formats) throws IOException, InterruptedException {
        StringBuilder disks = new StringBuilder();
        for (int i = 0; i < formats.length; i++) {
            Path image = image(imageDir, name, "vd" + (char) ('a' + i), formats[i]);
            run("qemu-img", "create", "-q", "-f", formats[i], image.toString(), Long.toString(size));
            disks.append("<disk type='file' device='disk'><driver name='qemu' type='").append(formats[i])
                    .append("'/><source file='").append(image).append("'/><target dev='vd").append((char) ('a' + i))
                    .append("' bus='virtio'/></disk>\n");
        }
        return "<domain type='" + (Kvm.usable() ? "kvm" : "qemu") + "'><name>" + name + "</name>"
                + "<memory unit='MiB'>128</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>\n" + disks + "</devices></domain>\n";
    }

    static Path image(Path imageDir, String name, String target, String format) {
        return imageDir.resolve(name + "-" + target + "." + format);
    }

    /** Fills the start of a shut-off domain's image with data, so a full backup of it takes a while. */
    static void fill(Path image, String format, int pattern, long length) throws IOException, InterruptedException {
        run("qemu-io", "-f", format, "-c", "write -P 0x" + Integer.toHexString(pattern) + " 0 " + length, image.toString());
    }

    /** Writes through the guest's own block backend, as a guest would. */
    static void guestWrite(Domain dom, int diskIndex, int pattern, long offset, long length) {
        String reply = dom.monitorCommand("qemu-io -d /machine/peripheral/virtio-disk" + diskIndex
                + "/virtio-backend \"write -P 0x" + Integer.toHexString(pattern) + " " + offset + " " + length + "\"", true);
        if (!reply.isBlank() && !reply.contains("wrote")) {
            throw new AssertionError("guest write failed: " + reply);
        }
    }

    /** A QMP command through the monitor passthrough; returns its "return" value. */
    static JsonNode qmp(Domain dom, String json) {
        try {
            JsonNode reply = JSON.readTree(dom.monitorCommand(json, false));
            return reply.has("return") ? reply.get("return") : reply;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Limits a backup block job's rate so a test can act while it runs. */
    static void throttle(Domain dom, String disk, long bytesPerSecond) {
        qmp(dom, "{\"execute\":\"block-job-set-speed\",\"arguments\":{\"device\":\"" + BackupNames.job(disk)
                + "\",\"speed\":" + bytesPerSecond + "}}");
    }

    /** Polls until no job is current, then returns the completed job's statistics (kept). */
    static JobInfo awaitEnd(Domain dom, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (dom.jobInfo(false).type() != JobType.NONE) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("backup job did not end within " + timeoutMillis + " ms");
            }
            Thread.sleep(50);
        }
        return dom.jobInfo(true, true);
    }

    /** Names of block nodes, jobs and exports that a backup job left in QEMU. */
    static List<String> leftovers(Domain dom) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : qmp(dom, "{\"execute\":\"query-named-block-nodes\",\"arguments\":{\"flat\":true}}")) {
            String name = n.path("node-name").asText();
            if (name.contains("backup")) {
                out.add("node " + name);
            }
            for (JsonNode b : n.path("dirty-bitmaps")) {
                if (b.path("name").asText().startsWith("backup-")) {
                    out.add("bitmap " + name + "/" + b.path("name").asText());
                }
            }
        }
        for (JsonNode j : qmp(dom, "{\"execute\":\"query-jobs\"}")) {
            out.add("job " + j.path("id").asText());
        }
        for (JsonNode e : qmp(dom, "{\"execute\":\"query-block-exports\"}")) {
            out.add("export " + e.path("id").asText());
        }
        return out;
    }

    static String run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + " failed: " + out);
        }
        return out;
    }

    /** Runs a command and returns its exit status (for qemu-img compare, whose 1 means "differ"). */
    static int status(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", argv) + " timed out");
        }
        return p.exitValue();
    }

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

    /** Processes whose command line mentions the path (QEMUs of a test's state directory). */
    static List<String> processesMentioning(Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("pgrep", "-a", "-f", path.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        List<String> lines = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (!l.isBlank() && !l.contains("pgrep")) {
                lines.add(l);
            }
        }
        return lines;
    }
}
