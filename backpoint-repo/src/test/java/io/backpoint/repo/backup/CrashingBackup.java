package io.backpoint.repo.backup;

import io.backpoint.api.Connection;
import io.backpoint.repo.Repository;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backup in a process of its own that SIGKILLs itself when it reaches a step for the n-th
 * time: {@code URI REPO DOMAIN TMP [STEP N]}. Exits 0 when the backup committed without reaching it.
 * Prints a line at every step it reaches, with the time.
 */
public final class CrashingBackup {
    /** The start of the line printed at each step: {@code step NAME EPOCH_MILLIS}. */
    public static final String STEP = "step ";

    private CrashingBackup() {
    }

    public static void main(String[] args) throws Exception {
        String step = args.length > 4 ? args[4] : null;
        int n = args.length > 4 ? Integer.parseInt(args[5]) : 0;
        AtomicInteger seen = new AtomicInteger();
        Steps.install(s -> {
            // The step's wall-clock time, for a test that times the phases and reads where a kill landed.
            System.out.println(STEP + s + " " + System.currentTimeMillis());
            System.out.flush();
            if (s.equals(step) && seen.incrementAndGet() == n) {
                killSelf();
            }
        });
        try (Connection conn = Connection.open(args[0]); Repository repo = Repository.open(args[1])) {
            new BackupEngine(conn, repo, Clock.systemUTC(), Path.of(args[3]))
                    .backup(new BackupOptions(args[2], List.of(), false), BackupListener.NONE);
        }
        System.exit(0);
    }

    private static void killSelf() {
        try {
            new ProcessBuilder("kill", "-KILL", Long.toString(ProcessHandle.current().pid())).start().waitFor();
            Thread.sleep(60_000);
        } catch (Exception e) {
            Runtime.getRuntime().halt(99);
        }
        Runtime.getRuntime().halt(98);
    }
}
