package io.backpoint.repo.backup;

import java.util.function.Consumer;

/**
 * Test seam: the named steps of a backup, where a crash test kills the backup process (SIGKILL)
 * to prove that every point leaves a state the next backup recovers from. Does nothing unless a
 * test installs a hook.
 */
final class Steps {
    static final String BEFORE_BEGIN = "before-begin";
    static final String BEGUN = "begun";
    static final String CHUNK = "chunk";
    static final String BEFORE_COMMIT = "before-commit";
    static final String COMMITTED = "committed";
    /** After each of this repository's older checkpoints is deleted (libvirt's checkpoint-delete). */
    static final String CHECKPOINT_DELETED = "checkpoint-deleted";
    static final String CLEANED = "cleaned";
    /** After the job's abort was accepted (domjobabort), before it has ended. */
    static final String JOB_ABORTED = "job-aborted";
    static final String ENDED = "ended";

    private static volatile Consumer<String> hook;

    private Steps() {
    }

    static void reach(String step) {
        Consumer<String> h = hook;
        if (h != null) {
            h.accept(step);
        }
    }

    static void install(Consumer<String> h) {
        hook = h;
    }
}
