package io.backpoint.qemu.backup;

import java.util.function.Consumer;

/**
 * Named places in the backup code between its QMP commands and file writes (which report
 * themselves to {@link io.backpoint.util.CrashPoints} as they happen), where a test can make it
 * stop dead, as a process killed at that instant would. One hook serves both: the one of
 * {@link io.backpoint.util.CrashPoints}. A monitor that fails at a command is a scripted QMP
 * peer's job (BackupMonitorFaultsTest), not a hook's.
 */
final class CrashPoints {
    /** After begin's transaction ran and the checkpoint was committed, before the job is RUNNING. */
    static final String AFTER_COMMIT = "begin.after-commit";
    /** After begin recorded the job as RUNNING, before the exports (pull). */
    static final String AFTER_RUNNING = "begin.after-running";
    /** Just before begin commits the checkpoint created in its transaction. */
    static final String BEFORE_COMMIT = "begin.before-commit";

    private CrashPoints() {}

    static void reach(String point) {
        io.backpoint.util.CrashPoints.reach(point);
    }

    /** Installs the hook (null removes it). */
    static void install(Consumer<String> h) {
        io.backpoint.util.CrashPoints.install(h);
    }
}
