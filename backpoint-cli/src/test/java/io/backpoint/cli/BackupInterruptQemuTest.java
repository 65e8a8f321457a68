package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.qemu.testing.RunningVms;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.qemu.testing.TestVm.Disk;
import io.backpoint.testing.QemuTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, item 20: Ctrl-C during {@code backup-begin --wait} aborts the job and says so, as
 * virsh's --wait block job commands do, instead of exiting 130 while the job goes on. A real
 * SIGINT to a child process running the command line.
 */
@QemuTest
class BackupInterruptQemuTest {
    @TempDir
    Path dir;

    @RegisterExtension
    static final RunningVms VMS = new RunningVms("qemu-io");

    @Test
    void ctrlCAbortsTheJobAndSaysSo() throws Exception {
        String uri = VMS.embed(dir);
        Disk vda = Disk.create("vda", dir.resolve("vda.qcow2"), "qcow2", 2048 * TestVm.MIB);
        // Data to copy, so that the job is still running when the signal comes.
        TestVm.fill(vda.image(), "qcow2", 0x5a, 1536 * TestVm.MIB);
        Files.writeString(dir.resolve("vm.xml"), TestVm.domainXml("vm1", List.of(vda)));
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
}
