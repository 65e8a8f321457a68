package io.backpoint.util;

import java.util.function.Consumer;

/**
 * Test seam for the systematic crash tests: every step with an effect outside the process (a
 * QMP command, a file written, renamed or deleted) reports itself here just before and just
 * after, so a test can list an operation's steps by running it once, then kill a process at each
 * one in turn. Does nothing unless a test installs a hook; the cost is one volatile read.
 */
public final class CrashPoints {
    private static volatile Consumer<String> hook;

    private CrashPoints() {}

    /** Reports a point, e.g. {@code qmp:transaction} before and {@code qmp:transaction:done} after. */
    public static void reach(String point) {
        Consumer<String> h = hook;
        if (h != null) {
            h.accept(point);
        }
    }

    /** Before and after a step: {@code point} then {@code point:done}. */
    public static void before(String point) {
        reach(point);
    }

    public static void after(String point) {
        reach(point + ":done");
    }

    /** Installs a hook (null removes it). */
    public static void install(Consumer<String> h) {
        hook = h;
    }
}
