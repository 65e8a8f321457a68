package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.backpoint.api.Connection;
import io.backpoint.qemu.process.Kvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, item 20: Ctrl-C during {@code backup-begin --wait} aborts the job and says so, as
 * virsh's --wait block job commands do, instead of exiting 130 while the job goes on. A real
 * SIGINT to a child process running the command line.
 */
class BackupInterruptQemuTest {
    @TempDir
    Path dir;

    private String uri;

    @AfterEach
    void destroy() {
        if (uri != null) {
            try (Connection conn = Connection.open(uri)) {
                conn.listAllDomains().stream().filter(d -> d.state().active()).forEach(d -> d.destroy());
            }
        }
    }

    @Test
    void ctrlCAbortsTheJobAndSaysSo() throws Exception {
        assumeTrue(onPath("qemu-system-x86_64") && onPath("qemu-io"), "QEMU is needed");
        uri = "qemu:///embed?root=" + dir.resolve("state");
        Path vda = dir.resolve("vda.qcow2");
        exec("qemu-img", "create", "-q", "-f", "qcow2", vda.toString(), "2G");
        // Data to copy, so that the job is still running when the signal comes.
        exec("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 1536M", vda.toString());
        Files.writeString(dir.resolve("vm.xml"), "<domain type='" + (Kvm.usable() ? "kvm" : "qemu") + "'><name>vm1</name>"
                + "<memory unit='MiB'>128</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
                + "<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='" + vda
                + "'/><target dev='vda' bus='virtio'/></disk></devices></domain>");
        Path target = dir.resolve("vda.full.qcow2");
        Files.writeString(dir.resolve("full.xml"), "<domainbackup mode='push'><disks><disk name='vda' type='file'><target file='"
                + target + "'/></disk></disks></domainbackup>");
        CliRun r = CliRun.of(dir, "", "-c", uri, "define vm.xml; start vm1");
        assertThat(r.status()).as(r.stderr()).isZero();

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "-c", uri, "backup-begin vm1 full.xml --wait").directory(dir.toFile()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            seen.append(line).append('\n');
            if (line.equals("Backup started")) {
                break;
            }
        }
        assertThat(seen.toString()).as("child output").endsWith("Backup started\n");
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        for (String line; (line = out.readLine()) != null; ) {
            seen.append(line).append('\n');
        }
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String text = seen.toString();
        assertThat(text).as("the signal came while the job ran").doesNotContain("Backup completed");
        assertThat(child.exitValue()).as(text).isEqualTo(1);
        assertThat(text).contains("\nBackup aborted\n");
        // The job is over, not carrying on behind the user's back, and its target is gone.
        r = CliRun.of(dir, "", "-c", uri, "domjobinfo vm1; domjobinfo vm1 --completed");
        assertThat(r.stdout()).startsWith("Job type:         None").contains("Job type:         Cancelled");
        assertThat(target).doesNotExist();
    }

    private static boolean onPath(String binary) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, binary))) {
                return true;
            }
        }
        return false;
    }

    private static void exec(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
