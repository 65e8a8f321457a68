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
 */
public final class CrashingBackup {
    private CrashingBackup() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 4) {
            String step = args[4];
            int n = Integer.parseInt(args[5]);
            AtomicInteger seen = new AtomicInteger();
            Steps.install(s -> {
                if (s.equals(step) && seen.incrementAndGet() == n) {
                    killSelf();
                }
            });
        }
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
