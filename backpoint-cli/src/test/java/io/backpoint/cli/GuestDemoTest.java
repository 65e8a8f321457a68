package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.backpoint.cli.demo.DemoCommand;
import io.backpoint.testing.QemuTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code backpoint demo --guest}, end to end on the real guest: every file-level check must hold. */
@QemuTest
class GuestDemoTest {
    @TempDir
    Path dir;

    @Test
    void theGuestStoryHolds() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64")), "QEMU is needed");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DemoCommand.run(dir.resolve("demo"), false, true, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(text + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(text).contains(" 0 failed").doesNotContain("FAILED")
                .contains("quiesced full restore: e2fsck -fn clean")
                .contains("crash-consistent restore: all ")
                .contains("the restored guest reads its ");
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains("qemu-system") && c.contains(dir.toString()))).isEmpty();
    }
}
