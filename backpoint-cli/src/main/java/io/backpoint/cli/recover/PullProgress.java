package io.backpoint.cli.recover;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of block pulls as virsh prints it ({@code \rBlock Pull: [ 42 %]} on stderr, redrawn,
 * never 100 before the end) on a terminal; for logs and pipes a plain line every 10 %.
 */
public final class PullProgress {
    private final PrintStream err;
    private final boolean terminal;
    private int lastPercent = -1;
    private boolean drawn;

    public PullProgress(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** virsh's virshPrintJobProgress rounding: 100 only when nothing remains. */
    public static int percent(long cur, long end) {
        long remaining = end - cur;
        if (remaining <= 0) {
            return 100;
        }
        int p = (int) (100.0 - remaining * 100.0 / end);
        return Math.min(p, 99);
    }

    /** The line {@code blockjob --info} prints for a job, without the leading carriage return. */
    public static String line(String label, long cur, long end) {
        return String.format(Locale.ROOT, "%s: [%3d %%]", label, percent(cur, end));
    }

    public void update(long cur, long end) {
        int p = percent(cur, end);
        if (terminal) {
            err.print("\r" + line("Block Pull", cur, end));
            err.flush();
            drawn = true;
        } else if (lastPercent < 0 || p >= lastPercent + 10 || (p == 100 && lastPercent != 100)) {
            err.println(line("Block Pull", cur, end));
            lastPercent = p;
        }
    }

    /** Ends the redrawn line. */
    public void finish() {
        if (drawn) {
            err.println();
            drawn = false;
        }
    }
}
