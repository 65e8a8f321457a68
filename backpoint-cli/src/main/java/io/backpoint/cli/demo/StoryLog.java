package io.backpoint.cli.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** What a demo story prints: timed steps, checks that pass or fail, and the closing count. */
final class StoryLog {
    private final PrintStream out;
    private final long t0 = System.nanoTime();
    private int passed;
    private final List<String> failed = new ArrayList<>();

    StoryLog(PrintStream out) {
        this.out = out;
    }

    void check(boolean ok, String what, String failure) {
        if (ok) {
            passed++;
            out.printf("          ok  %s%n", what);
        } else {
            failed.add(failure);
            out.printf("      FAILED  %s%n", failure);
        }
    }

    void step(String what) {
        out.printf("[%6.2fs] %s%n", secs(t0), what);
    }

    /** Prints the count; true when every check held. */
    boolean summary() {
        out.println();
        out.printf("%d checks passed, %d failed%s%n", passed, failed.size(),
                failed.isEmpty() ? "" : ": " + String.join("; ", failed));
        return failed.isEmpty();
    }

    static double secs(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
