package io.backpoint.qemu.backup;

/** Thrown at a {@link CrashPoints} point: an Error, so no cleanup in the backup code runs, as when a process is killed. */
final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(String point) {
        super("simulated crash at " + point);
    }

    /** Installs a hook that crashes at {@code point}, once. */
    static void at(String point) {
        CrashPoints.install(p -> {
            if (p.equals(point)) {
                CrashPoints.install(null);
                throw new SimulatedCrash(p);
            }
        });
    }
}
