package io.backpoint.cli.demo;

import io.backpoint.image.img.QemuImg;
import io.backpoint.qemu.agent.ExecStatus;
import io.backpoint.qemu.agent.GuestAgent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The small Linux guest of guest/build-guest.sh (a Debian kernel, busybox, qemu-ga), built once
 * per JVM into the script's cache, and what the guest demo and the end-to-end tests do with it:
 * ext4 data disks, domain XML, waiting for the console, running commands through the agent.
 * Failures are AssertionErrors: every caller is a check.
 */
public final class GuestKit {
    /** Generous: a Debian kernel under TCG on a machine shared with other builds. */
    public static final Duration BOOT_LIMIT = Duration.ofSeconds(240);
    private static Path cache;

    private GuestKit() {}

    /** Builds (or finds in the cache) the kernel and initramfs; fails the test if that fails. */
    public static synchronized Path build() throws IOException, InterruptedException {
        if (cache == null) {
            Path script = repoRoot().resolve("guest/build-guest.sh");
            String out = run(List.of("bash", script.toString()), Duration.ofMinutes(10));
            cache = Path.of(out.strip().lines().reduce((a, b) -> b).orElseThrow());
        }
        return cache;
    }

    /**
     * The checkout holding guest/build-guest.sh: found from where these classes were loaded
     * (backpoint-cli/target/classes or the jar beside it), else the working directory or its parent.
     */
    public static Path repoRoot() {
        try {
            Path code = Path.of(GuestKit.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = code; p != null; p = p.getParent()) {
                if (Files.exists(p.resolve("guest/build-guest.sh"))) {
                    return p;
                }
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // fall back to the working directory
        }
        Path here = Path.of("").toAbsolutePath();
        return Files.exists(here.resolve("guest/build-guest.sh")) ? here : here.getParent();
    }

    /** An ext4 file system on a fresh qcow2 image, made on the host (the guest needs no mkfs). */
    public static Path dataDisk(Path dir, String name, int mib) throws IOException, InterruptedException {
        Path raw = dir.resolve(name + ".raw");
        Path qcow2 = dir.resolve(name + ".qcow2");
        QemuImg img = new QemuImg();
        img.create(raw, "raw", (long) mib << 20);
        run(List.of("mkfs.ext4", "-q", "-F", "-L", "bpdata", raw.toString()), Duration.ofMinutes(1));
        img.convert(raw, "raw", qcow2, "qcow2");
        Files.delete(raw);
        return qcow2;
    }

    /**
     * A domain that boots the guest kernel with {@code disk} as vda mounted on /data.
     *
     * @param writer how many files the guest's writer makes (0: no writer)
     * @param agent with the guest agent channel
     */
    public static String domainXml(String name, Path disk, String format, Path serialLog, int writer, boolean agent)
            throws IOException, InterruptedException {
        Path c = build();
        String cmdline = "console=ttyS0 panic=-1 quiet bp.data=/dev/vda" + (writer > 0 ? " bp.writer=" + writer : "");
        return "<domain type='qemu'><name>" + name + "</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type><kernel>" + c.resolve("vmlinuz") + "</kernel>"
                + "<initrd>" + c.resolve("initrd.img") + "</initrd><cmdline>" + cmdline + "</cmdline></os>"
                + "<on_reboot>destroy</on_reboot><devices>"
                + "<disk type='file' device='disk'><driver name='qemu' type='" + format + "'/><source file='" + disk
                + "'/><target dev='vda' bus='virtio'/></disk>"
                + "<serial type='file'><source path='" + serialLog + "'/><target port='0'/></serial>"
                + "<console type='file'><source path='" + serialLog + "'/><target type='serial' port='0'/></console>"
                + (agent ? "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>" : "")
                + "<interface type='user'><model type='virtio'/></interface>"
                + "</devices></domain>";
    }

    /** Waits until the console shows {@code marker}; fails early on a BP-ERROR line or a kernel panic. */
    public static String awaitConsole(Path log, String marker, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            String text = Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
            if (text.contains(marker)) {
                return text;
            }
            if (text.contains("BP-ERROR") || text.contains("Kernel panic")) {
                throw new AssertionError("guest failed before '" + marker + "':\n" + text);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + marker + "' on the console within " + limit.toSeconds() + " s:\n" + text);
            }
            Thread.sleep(100);
        }
    }

    /** The agent socket of a domain defined with the default channel path. */
    public static Path agentSocket(Path stateRoot, String name) {
        return stateRoot.resolve("run").resolve(name).resolve(name + ".agent");
    }

    public static GuestAgent agent(Path stateRoot, String name) throws IOException {
        return GuestAgent.connect(agentSocket(stateRoot, name), Duration.ofSeconds(60));
    }

    /** Runs {@code sh -c script} in the guest through the agent; returns its standard output; fails unless it exits 0. */
    public static String sh(GuestAgent agent, String script) throws IOException, InterruptedException {
        long pid = agent.exec("/bin/sh", List.of("-c", script));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            ExecStatus s = agent.execStatus(pid);
            if (s.exited()) {
                if (s.exitCode() != 0) {
                    throw new AssertionError("guest command '" + script + "' exited " + s.exitCode() + ": "
                            + new String(s.err(), StandardCharsets.UTF_8));
                }
                return new String(s.out(), StandardCharsets.UTF_8);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("guest command '" + script + "' still running after 2 minutes");
            }
            Thread.sleep(50);
        }
    }

    /** Waits until the guest's writer has journaled at least {@code files} files. */
    public static int awaitJournal(GuestAgent agent, int files) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            int n = Integer.parseInt(sh(agent, "if [ -f /data/journal ]; then wc -l < /data/journal; else echo 0; fi").strip());
            if (n >= files) {
                return n;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the guest's writer journaled only " + n + " files in 3 minutes");
            }
            Thread.sleep(200);
        }
    }

    public record Result(int status, String out, String err) {}

    public static String run(List<String> argv, Duration limit) throws IOException, InterruptedException {
        Result r = status(argv, limit);
        if (r.status() != 0) {
            throw new AssertionError(String.join(" ", argv) + " exited " + r.status() + ": " + r.err() + r.out());
        }
        return r.out();
    }

    public static Result status(List<String> argv, Duration limit) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", argv) + " did not finish within " + limit.toSeconds() + " s");
        }
        return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8), new String(err.join(), StandardCharsets.UTF_8));
    }

    private static byte[] readAll(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
