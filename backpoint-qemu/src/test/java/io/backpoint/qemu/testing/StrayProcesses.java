package io.backpoint.qemu.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The directories of a test class's VMs, checked once all its tests ran: a QEMU whose command
 * line still names one of them outlived its test (the driver's cleanup missed it).
 */
final class StrayProcesses {
    private final List<Path> roots = new CopyOnWriteArrayList<>();

    /** Checks this directory too in {@link #assertNone()}. */
    void watch(Path root) {
        roots.add(root);
    }

    /** Fails when a process mentions one of the watched directories. */
    void assertNone() throws IOException, InterruptedException {
        for (Path r : roots) {
            assertThat(processesMentioning(r)).as("processes of %s", r).isEmpty();
        }
    }

    private static List<String> processesMentioning(Path path) throws IOException, InterruptedException {
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
