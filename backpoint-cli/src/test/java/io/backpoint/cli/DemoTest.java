package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.backpoint.cli.demo.DemoCommand;
import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, end to end on real QEMU: every check of the story must hold. */
@QemuTest
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void theWholeStoryHolds() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64")) || Tools.onPath("qemu-system-x86_64"),
                "QEMU is needed");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DemoCommand.run(dir.resolve("demo"), false, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(text + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(text).contains("20 checks passed, 0 failed").doesNotContain("FAILED");
        // Every backup file is VM data: the owner's alone (issue 8, item 22: the pull copies were 0644).
        try (var files = Files.list(dir.resolve("demo/backups"))) {
            assertThat(files.filter(f -> f.getFileName().toString().endsWith(".qcow2")).map(f -> {
                try {
                    return f.getFileName() + " " + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            })).contains("vda.inc2.qcow2 rw-------", "vdb.inc2.qcow2 rw-------").allMatch(s -> s.endsWith(" rw-------"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // Nothing of the domain keeps running.
        assertThat(text).contains("restore of vdb at point 3");
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains("qemu-system") && c.contains(dir.toString()))).isEmpty();
    }

    @Test
    void theWholeStoryHoldsOnLibvirtd() throws Exception {
        LibvirtTestDomain.assumeReachable();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DemoCommand.run(dir.resolve("demo-libvirt"), false, false, LibvirtTestDomain.URI,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(text + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(text).contains("on qemu:///system", "20 checks passed, 0 failed", "restore of vdb at point 3",
                "second backup is incremental")
                .doesNotContain("FAILED");
        // The demo leaves the user's libvirtd as it found it.
        assertThat(LibvirtTestDomain.virsh(dir, "-c", LibvirtTestDomain.URI, "list", "--all", "--name").stdout())
                .doesNotContain("backpoint-demo");
    }

    private static boolean onPath(String binary) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, binary))) {
                return true;
            }
        }
        return false;
    }
}
