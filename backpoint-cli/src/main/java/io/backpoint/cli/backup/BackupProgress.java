package io.backpoint.cli.backup;

import io.backpoint.vocab.JobInfo;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a backup job for {@code backup-begin --wait}: on a terminal one line redrawn in
 * place (bar, percent, MiB/s); otherwise, for logs and pipes, a plain line every 5%.
 */
final class BackupProgress {
    private static final int BAR = 30;
    private static final long MIB = 1L << 20;

    private final PrintStream out;
    private final boolean terminal;
    private int lastPercent = -1;
    private boolean drawn;

    BackupProgress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    void update(JobInfo info) {
        if (info.dataTotal() <= 0) {
            // A pull job (or one that has not counted yet) has no percentage: its end is the client's call.
            if (terminal) {
                out.print(String.format(Locale.ROOT, "\rbackup: running, scratch used %d MiB   ", info.tempUsed() / MIB));
                out.flush();
                drawn = true;
            }
            return;
        }
        int percent = (int) Math.min(100, info.dataProcessed() * 100 / info.dataTotal());
        if (terminal) {
            int filled = percent * BAR / 100;
            double seconds = info.timeElapsedMillis() / 1000.0;
            double rate = seconds > 0 ? info.dataProcessed() / (double) MIB / seconds : 0;
            out.print(String.format(Locale.ROOT, "\rbackup: [%s%s] %3d%% %d/%d MiB %.1f MiB/s   ",
                    "#".repeat(filled), " ".repeat(BAR - filled), percent, info.dataProcessed() / MIB,
                    info.dataTotal() / MIB, rate));
            out.flush();
            drawn = true;
        } else if (lastPercent < 0 || percent >= lastPercent + 5 || (percent == 100 && lastPercent != 100)) {
            out.println(String.format(Locale.ROOT, "backup: %d%% (%d/%d MiB)", percent, info.dataProcessed() / MIB,
                    info.dataTotal() / MIB));
            lastPercent = percent;
        }
    }

    /** Ends the redrawn line, so what follows starts on a line of its own. */
    void finish() {
        if (drawn) {
            out.println();
            drawn = false;
        }
    }
}
