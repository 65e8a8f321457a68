package io.backpoint.util;

import java.time.Instant;

/**
 * Where a command's wall time goes: with {@code BACKPOINT_TRACE=1} in the environment, each
 * {@link #mark} prints one line on standard error, milliseconds since the process started (the
 * launcher execs the JVM in the same process, so that includes the launcher script and JVM start)
 * and since the previous mark. Off, a mark costs one static boolean read; nothing is loaded.
 */
public final class Trace {
    private static final boolean ON = "1".equals(System.getenv("BACKPOINT_TRACE"));
    private static final Clock CLOCK = ON ? new Clock() : null;

    private Trace() {}

    public static void mark(String what) {
        if (ON) {
            CLOCK.print(what);
        }
    }

    private static final class Clock {
        // The process start has the kernel's clock-tick resolution (10 ms); later marks are exact.
        private final long sinceStart = System.currentTimeMillis() - ProcessHandle.current().info().startInstant()
                .map(Instant::toEpochMilli).orElse(System.currentTimeMillis());
        private final long nanos = System.nanoTime();
        private double last;

        synchronized void print(String what) {
            double now = sinceStart + (System.nanoTime() - nanos) / 1e6;
            System.err.printf("[trace %7.1f ms %+7.1f] %s%n", now, now - last, what);
            last = now;
        }
    }
}
