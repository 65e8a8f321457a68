package io.backpoint.qemu.backup;

import java.util.function.Consumer;

/**
 * Test seam: named places in the backup code where a test can make it stop dead, as a process
 * killed at that instant would (tests throw an Error that no catch here handles). Does nothing
 * unless a test installs a hook.
 */
final class CrashPoints {
    /** After a concluded QEMU job is dismissed during reconcile. */
    static final String AFTER_DISMISS = "reconcile.after-dismiss";
    /** After begin's transaction ran and the checkpoint was committed, before the job is RUNNING. */
    static final String AFTER_COMMIT = "begin.after-commit";
    /** After begin recorded the job as RUNNING, before the exports (pull). */
    static final String AFTER_RUNNING = "begin.after-running";
    /** Just before begin commits the checkpoint created in its transaction. */
    static final String BEFORE_COMMIT = "begin.before-commit";

    private static volatile Consumer<String> hook;

    private CrashPoints() {}

    static void reach(String point) {
        io.backpoint.util.CrashPoints.reach(point);
        Consumer<String> h = hook;
        if (h != null) {
            h.accept(point);
        }
    }

    /** Installs a hook (null removes it). */
    static void install(Consumer<String> h) {
        hook = h;
    }
}
