package io.backpoint.cli.repository;

import io.backpoint.repo.backup.BackupListener;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What {@code backup} shows while it reads: its decisions as lines, then on a terminal one line
 * redrawn in place (bytes, rate, ETA) at most a few times a second; otherwise a plain line every 10%.
 */
final class RepoBackupProgress implements BackupListener {
    private static final double MIB = 1 << 20;
    private static final long REDRAW_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier nanos;
    private long total;
    private long done;
    private long started;
    private long lastDraw;
    private int lastTenth = -1;
    private boolean drawn;

    RepoBackupProgress(PrintStream out, boolean terminal) {
        this(out, terminal, System::nanoTime);
    }

    RepoBackupProgress(PrintStream out, boolean terminal, LongSupplier nanos) {
        this.out = out;
        this.terminal = terminal;
        this.nanos = nanos;
    }

    @Override
    public synchronized void note(String line) {
        clearLine();
        out.println(line);
        out.flush();
    }

    @Override
    public synchronized void start(long bytes) {
        total = bytes;
        started = nanos.getAsLong();
        if (!terminal) {
            out.println(String.format(Locale.ROOT, "reading %.1f MiB", bytes / MIB));
            lastTenth = 0;
        }
    }

    @Override
    public synchronized void read(long bytes) {
        done += bytes;
        long now = nanos.getAsLong();
        if (terminal) {
            if (now - lastDraw >= REDRAW_NANOS || done == total) {
                lastDraw = now;
                out.print("\r" + line(now) + "   ");
                out.flush();
                drawn = true;
            }
        } else if (total > 0) {
            int tenth = (int) Math.min(10, done * 10 / total);
            if (tenth > lastTenth) {
                lastTenth = tenth;
                out.println(line(now));
            }
        }
    }

    /** "backup: 120.0/480.0 MiB 25%  40.1 MiB/s  ETA 0:09". */
    String line(long now) {
        double seconds = (now - started) / 1e9;
        double rate = seconds > 0 ? done / MIB / seconds : 0;
        int percent = total > 0 ? (int) Math.min(100, done * 100 / total) : 100;
        String eta = "--:--";
        if (rate > 0) {
            long left = Math.round((total - done) / MIB / rate);
            eta = String.format(Locale.ROOT, "%d:%02d", left / 60, left % 60);
        }
        return String.format(Locale.ROOT, "backup: %.1f/%.1f MiB %d%%  %.1f MiB/s  ETA %s", done / MIB, total / MIB,
                percent, rate, eta);
    }

    synchronized void finish() {
        if (drawn) {
            out.println();
            drawn = false;
        }
        out.flush();
    }

    private void clearLine() {
        if (drawn) {
            out.println();
            drawn = false;
        }
    }
}
