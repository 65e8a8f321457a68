package io.backpoint.cli.domain;

import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import java.io.PrintStream;
import java.util.Locale;

/** Prints job statistics as virsh's domjobinfo does: the same labels, column widths and units. */
final class JobInfoPrinter {
    /** virshDomainJobOperation's words, by libvirt's operation number. */
    private static final String[] OPERATIONS = {"Unknown", "Start", "Save", "Restore", "Incoming migration",
        "Outgoing migration", "Snapshot", "Snapshot revert", "Dump", "Backup", "Snapshot delete"};

    private JobInfoPrinter() {}

    /**
     * @param anyStats print the statistics of a failed job too (virsh's --anystats)
     */
    static void print(PrintStream out, JobInfo info, boolean anyStats) {
        line(out, "Job type:", info.type().text());
        if (info.type() == JobType.NONE || (info.type() == JobType.FAILED && !anyStats)) {
            return;
        }
        line(out, "Operation:", operation(info.operation()));
        out.print(String.format(Locale.ROOT, "%-17s %-12d ms%n", "Time elapsed:", info.timeElapsedMillis()));
        // A backup reports disk counters, which virsh shows as "File" lines.
        if (info.dataTotal() > 0 || info.dataProcessed() > 0) {
            capacity(out, "File processed:", info.dataProcessed());
            capacity(out, "File remaining:", info.dataRemaining());
            capacity(out, "File total:", info.dataTotal());
        }
        if (info.tempUsed() > 0 || info.tempTotal() > 0) {
            capacity(out, "Temporary disk space use:", info.tempUsed());
            capacity(out, "Temporary disk space total:", info.tempTotal());
        }
        if (info.errorMessage() != null) {
            out.print(String.format(Locale.ROOT, "%-17s %s%n", "Error message:", info.errorMessage()));
        }
    }

    static String operation(int number) {
        return number >= 0 && number < OPERATIONS.length ? OPERATIONS[number] : "Unknown";
    }

    private static void line(PrintStream out, String label, String value) {
        out.print(String.format(Locale.ROOT, "%-17s %-12s%n", label, value));
    }

    private static void capacity(PrintStream out, String label, long bytes) {
        out.print(String.format(Locale.ROOT, "%-17s %s%n", label, pretty(bytes)));
    }

    /** virsh's vshPrettyCapacity with "%.3lf %s": 1024-based units from B to EiB. */
    static String pretty(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = bytes < 0 ? Math.pow(2, 64) + bytes : bytes;
        int unit = 0;
        while (unit < units.length - 1 && value >= 1024) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.3f %s", value, units[unit]);
    }
}
