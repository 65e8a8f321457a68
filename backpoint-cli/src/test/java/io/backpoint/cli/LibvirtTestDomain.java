package io.backpoint.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A transient libvirt domain on {@code qemu:///system} for a test: one 64 MiB qcow2 disk (vda,
 * virtio) in the test's directory, no guest OS, TCG, a UUID fixed by its name. Closing destroys
 * it (a transient domain then vanishes with its checkpoint metadata); creating first destroys a
 * stale one of the same name left by a killed run. Set-up and guest writes go through virsh.
 */
final class LibvirtTestDomain implements AutoCloseable {
    static final String URI = "qemu:///system";

    final String name;
    final Path dir;
    final Path disk;

    private LibvirtTestDomain(String name, Path dir) {
        this.name = name;
        this.dir = dir;
        this.disk = dir.resolve(name + "-vda.qcow2");
    }

    /** Skips the test with a message when libvirtd does not answer at qemu:///system. */
    static void assumeReachable() {
        boolean up;
        try {
            up = virsh(Path.of("/"), "-c", URI, "list").status() == 0;
        } catch (IOException e) {
            up = false;
        }
        Assumptions.assumeTrue(up, "libvirtd is not reachable at " + URI + " (start it: sudo .ci/libvirtd start): test skipped");
    }

    /** Creates and starts the domain on a fresh disk. */
    static LibvirtTestDomain start(Path dir, String name) throws IOException {
        LibvirtTestDomain d = new LibvirtTestDomain(name, dir);
        d.restart();
        return d;
    }

    /** Destroys the domain if it runs, creates its disk afresh and starts it again. */
    void restart() throws IOException {
        destroyQuietly();
        Files.deleteIfExists(disk);
        run("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "64M");
        Path xml = dir.resolve(name + ".xml");
        Files.writeString(xml, """
                <domain type='qemu'>
                  <name>%s</name>
                  <uuid>%s</uuid>
                  <memory unit='MiB'>64</memory>
                  <vcpu>1</vcpu>
                  <os><type arch='x86_64' machine='pc'>hvm</type></os>
                  <devices>
                    <disk type='file' device='disk'>
                      <driver name='qemu' type='qcow2'/>
                      <source file='%s'/>
                      <target dev='vda' bus='virtio'/>
                    </disk>
                  </devices>
                </domain>
                """.formatted(name, UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)), disk), StandardCharsets.UTF_8);
        CliRun r = virsh(dir, "-c", URI, "create", xml.toString());
        if (r.status() != 0) {
            throw new IOException("virsh create " + name + " failed: " + r.stderr());
        }
    }

    /** A guest write, simulated through the monitor exactly as on libvirt. */
    void write(int pattern, String offset, String length) throws IOException {
        CliRun r = virsh(dir, "-c", URI, "qemu-monitor-command", name, "--hmp",
                "qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -P 0x"
                        + Integer.toHexString(pattern) + " " + offset + " " + length + "\"");
        if (r.status() != 0 || r.stdout().contains("rror")) {
            throw new IOException("guest write failed: " + r.stdout() + r.stderr());
        }
    }

    /** Waits until the domain has no active job (a push backup ended), up to two minutes. */
    void awaitNoJob() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            CliRun r = virsh(dir, "-c", URI, "domjobinfo", name);
            if (r.status() == 0 && r.stdout().contains("Job type:         None")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job on " + name + " did not end within two minutes");
    }

    private void destroyQuietly() throws IOException {
        virsh(dir, "-c", URI, "destroy", name);
    }

    @Override
    public void close() throws IOException {
        destroyQuietly();
    }

    /** Runs virsh (LC_ALL=C, UTC) in {@code cwd} with nothing on standard input. */
    static CliRun virsh(Path cwd, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("virsh");
        cmd.addAll(List.of(args));
        return exec(cwd, cmd);
    }

    private void run(String... cmd) throws IOException {
        CliRun r = exec(dir, List.of(cmd));
        if (r.status() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + r.stderr());
        }
    }

    private static CliRun exec(Path cwd, List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().put("TZ", "UTC");
        pb.environment().put("LC_ALL", "C");
        pb.environment().remove("LANGUAGE");
        Path out = Files.createTempFile("bp-lv", ".out");
        Path err = Files.createTempFile("bp-lv", ".err");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("did not finish in two minutes: " + cmd);
            }
            return new CliRun(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8),
                    p.exitValue());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + cmd, e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
