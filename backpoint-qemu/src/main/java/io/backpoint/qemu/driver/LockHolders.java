package io.backpoint.qemu.driver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who holds a lock on a file, from Linux's /proc/locks (fcntl, OFD and flock locks, each with
 * the inode it is on), so a lock wait that times out can name the process to look at.
 */
final class LockHolders {
    private LockHolders() {}

    /** "pid 123 (backpoint -c ... list)", several joined with ", ", or "an unknown process". */
    static String describe(Path file) {
        try {
            long inode = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
            return describe(Files.readAllLines(Path.of("/proc/locks"), StandardCharsets.US_ASCII), inode);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "an unknown process";
        }
    }

    /**
     * Lines look like {@code 3: POSIX  ADVISORY  READ 4242 fd:01:1234 0 EOF}; a waiter's line has
     * "->" after the number and is not a holder. OFD locks have pid -1: their owner is unknown.
     */
    static String describe(List<String> procLocks, long inode) {
        Set<String> holders = new LinkedHashSet<>();
        for (String line : procLocks) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 6 || "->".equals(f[1])) {
                continue;
            }
            String[] dev = f[5].split(":");
            if (dev.length != 3 || !dev[2].equals(Long.toString(inode))) {
                continue;
            }
            String mode = f[3].toLowerCase(java.util.Locale.ROOT);
            holders.add(f[4].equals("-1") ? "a process (open file description lock, " + mode + ")"
                    : "pid " + f[4] + " (" + command(f[4]) + ", " + mode + " lock)");
        }
        return holders.isEmpty() ? "an unknown process" : String.join(", ", holders);
    }

    private static String command(String pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", pid, "cmdline"));
            String cmd = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
            if (cmd.isEmpty()) {
                return "command unknown";
            }
            return cmd.length() > 120 ? cmd.substring(0, 117) + "..." : cmd;
        } catch (IOException e) {
            return "command unknown";
        }
    }
}
