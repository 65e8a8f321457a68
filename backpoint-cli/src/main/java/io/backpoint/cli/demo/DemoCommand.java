package io.backpoint.cli.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** {@code backpoint demo [--dir DIR] [--keep]}: the whole story on real QEMU, with checks. */
public final class DemoCommand {
    private static final List<String> TOOLS = List.of("qemu-system-x86_64", "qemu-img", "qemu-nbd");
    private static final List<String> GUEST_TOOLS = List.of("mkfs.ext4", "e2fsck", "debugfs", "dumpe2fs", "qemu-ga", "apt-get", "dpkg-deb");

    private DemoCommand() {}

    /** Runs the demo; returns the exit status (0 only if every check held). */
    public static int run(Path dir, boolean keep, PrintStream out, PrintStream err) {
        return run(dir, keep, false, null, out, err);
    }

    /** Runs the demo, with {@code guest} the real-guest one; returns the exit status (0 only if every check held). */
    public static int run(Path dir, boolean keep, boolean guest, PrintStream out, PrintStream err) {
        return run(dir, keep, guest, null, out, err);
    }

    /** As {@link #run(Path, boolean, boolean, PrintStream, PrintStream)}, on libvirtd at {@code uri} when not null. */
    public static int run(Path dir, boolean keep, boolean guest, String uri, PrintStream out, PrintStream err) {
        for (String tool : TOOLS) {
            if (!onPath(tool)) {
                err.println("error: " + tool + " is not installed; on Debian or Ubuntu: apt-get install qemu-system-x86 qemu-utils");
                return 1;
            }
        }
        for (String tool : guest ? GUEST_TOOLS : List.<String>of()) {
            if (!onPath(tool) && !Files.isExecutable(Path.of("/usr/sbin", tool))) {
                err.println("error: " + tool + " is not installed; on Debian or Ubuntu: apt-get install e2fsprogs"
                        + " busybox-static qemu-guest-agent");
                return 1;
            }
        }
        boolean ok = false;
        Path work = dir;
        try {
            work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("backpoint-demo.");
            ok = guest ? new GuestDemoStory(work.toAbsolutePath(), out).run() : new DemoStory(work.toAbsolutePath(), out, uri).run();
        } catch (Exception | AssertionError e) {
            err.println("error: demo failed: " + e.getMessage());
        } finally {
            if (!keep && work != null && dir == null) {
                deleteTree(work);
            } else if (work != null) {
                out.println("kept " + work);
            }
        }
        return ok ? 0 : 1;
    }

    private static boolean onPath(String binary) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, binary))) {
                return true;
            }
        }
        return false;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // Leaving a temporary directory behind is not worth failing the demo over.
        }
    }
}
