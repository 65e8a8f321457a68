package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.backpoint.testing.QemuTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, item 18: README.md's shell examples run as written, in order, in one shell, so the
 * README cannot drift from the program. Which blocks run is the README's own convention (stated
 * at its top): an indented block whose first line starts with {@code ./backpoint}, or any indented
 * block right after a {@code <!-- run -->} line; {@code <!-- skip: REASON -->} before a block keeps
 * it out. {@code ./backpoint} is this build's command line (a shim in the working directory, as the
 * launcher is in a clone); the launcher itself is checked by .ci/launcher-test.
 */
@QemuTest
class ReadmeExamplesQemuTest {
    @TempDir
    Path dir;

    @AfterEach
    void noQemuLeft() {
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("qemu-system") && p.info().commandLine().orElse("").contains(dir.toString()))
                .forEach(ProcessHandle::destroy);
    }

    /** The blocks the convention selects, each with its 4-space indent removed. */
    static List<String> examples(String readme) {
        List<String> blocks = new ArrayList<>();
        String[] lines = readme.split("\n", -1);
        String marker = null;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("    ") && (i == 0 || !lines[i - 1].startsWith("    "))) {
                StringBuilder block = new StringBuilder();
                int j = i;
                for (; j < lines.length && (lines[j].startsWith("    ") || (lines[j].isBlank() && j + 1 < lines.length
                        && lines[j + 1].startsWith("    "))); j++) {
                    block.append(lines[j].length() >= 4 ? lines[j].substring(4) : "").append('\n');
                }
                boolean run = marker != null ? marker.equals("<!-- run -->") : block.toString().startsWith("./backpoint");
                if (run && !"<!-- skip".equals(marker == null ? null : marker.substring(0, Math.min(9, marker.length())))) {
                    blocks.add(block.toString());
                }
                marker = null;
                i = j - 1;
            } else if (line.startsWith("<!-- run -->") || line.startsWith("<!-- skip")) {
                marker = line.trim();
            } else if (!line.isBlank()) {
                marker = null;
            }
        }
        return blocks;
    }

    @Test
    void theConventionPicksCommandBlocksAndMarkedBlocks() {
        String readme = "text\n\n    ./backpoint a\n    more\n\nthen\n\n    .ci/run\n\n<!-- run -->\n    x=1\n\n"
                + "<!-- skip: slow -->\n    ./backpoint demo\n\n```java\nfoo();\n```\n";
        assertThat(examples(readme)).containsExactly("./backpoint a\nmore\n", "x=1\n");
    }

    @Test
    void everyExampleRunsAsWritten() throws Exception {
        assumeTrue(onPath("qemu-system-x86_64") && onPath("qemu-img"), "QEMU is needed");
        Path readme = Path.of(System.getProperty("user.dir")).resolveSibling("README.md");
        assertThat(readme).exists();
        List<String> blocks = examples(Files.readString(readme));
        assertThat(blocks).as("README examples found").hasSizeGreaterThanOrEqualTo(8);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path work = Files.createDirectories(dir.resolve("clone"));
        // The repository's own scripts are where a clone has them (the S3 example starts a
        // throwaway Ceph RGW with .ci/ceph-rgw).
        Files.createSymbolicLink(work.resolve(".ci"), readme.resolveSibling(".ci"));
        Path shim = work.resolve("backpoint");
        Files.writeString(shim, "#!/bin/sh\nexec '" + java + "' -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp '"
                + System.getProperty("java.class.path") + "' " + Main.class.getName() + " \"$@\"\n");
        Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwx------"));
        StringBuilder script = new StringBuilder("set -euo pipefail\n");
        for (int i = 0; i < blocks.size(); i++) {
            script.append("echo '>>> README example ").append(i + 1).append("' >&2\n").append(blocks.get(i));
        }
        Path file = Files.writeString(dir.resolve("readme.sh"), script);
        ProcessBuilder pb = new ProcessBuilder("bash", file.toString()).directory(work.toFile()).redirectErrorStream(true);
        // mktemp -d puts $root under this test's directory, so nothing outlives the test.
        pb.environment().put("TMPDIR", dir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(600, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("README examples, output:\n%s\nscript:\n%s", out, script).isZero();
        assertThat(out).contains("validates").contains("Domain 'vm1' started").contains("size='2097152'")
                .doesNotContain("error:").doesNotContain("Exception");
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
