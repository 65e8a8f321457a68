package io.backpoint.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT (Ctrl-C) handled by the command that waits, for as long as it waits; the previous
 * handler (the JVM's: exit 130) comes back on close. Where the JVM refuses a handler (already
 * used by the JVM, or not a Unix platform), Ctrl-C keeps its default effect.
 */
final class InterruptHandler implements AutoCloseable {
    private static final Signal INT = new Signal("INT");

    private final SignalHandler previous;

    private InterruptHandler(SignalHandler previous) {
        this.previous = previous;
    }

    static InterruptHandler install(Runnable onInterrupt) {
        try {
            return new InterruptHandler(Signal.handle(INT, sig -> onInterrupt.run()));
        } catch (IllegalArgumentException e) {
            return new InterruptHandler(null);
        }
    }

    @Override
    public void close() {
        if (previous != null) {
            Signal.handle(INT, previous);
        }
    }
}
