package io.backpoint.qemu.agent;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.util.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Quiesce: the guest's file systems frozen through its agent around one short instant (a
 * bitmap or backup transaction), so what that instant captures is what the applications had
 * committed. A guest left frozen is an outage, so the thaw always runs: after the instant
 * whatever it did, from a shutdown hook if the JVM is stopped by a signal, and, if this process
 * is killed outright, by the next caller, which finds the intent record written before the
 * freeze ({@link #recover}).
 */
public final class GuestFreeze implements AutoCloseable {
    /** Intent records of freezes this JVM holds right now; {@link #recover} leaves them alone. */
    private static final Set<Path> ACTIVE = ConcurrentHashMap.newKeySet();

    /** Test seam: runs while frozen, before the instant (a test kills the process there). */
    static volatile Runnable whileFrozen;
    private static volatile Duration lastWindow;

    private final Path agentSocket;
    private final Path intent;
    private final Duration timeout;
    private GuestAgent agent;
    private boolean frozen;

    /** The instant to freeze around: a QMP transaction. */
    @FunctionalInterface
    public interface Instant {
        void run() throws IOException;
    }

    private GuestFreeze(Path agentSocket, Path intent, Duration timeout, GuestAgent agent) {
        this.agentSocket = agentSocket;
        this.intent = intent.toAbsolutePath();
        this.timeout = timeout;
        this.agent = agent;
    }

    /**
     * Connects to the agent and checks that it answers, before anything is frozen or created:
     * AGENT_UNRESPONSIVE if it does not.
     *
     * @param agentSocket the host side of the domain's guest agent channel
     * @param intent the record that says a freeze may be in force (in the domain's run directory)
     * @param timeout for each agent command
     */
    public static GuestFreeze connect(Path agentSocket, Path intent, Duration timeout) {
        GuestAgent agent = null;
        try {
            agent = GuestAgent.connect(agentSocket, timeout);
            agent.ping();
            return new GuestFreeze(agentSocket, intent, timeout, agent);
        } catch (IOException e) {
            if (agent != null) {
                agent.close();
            }
            throw new BackpointException(ErrorCode.AGENT_UNRESPONSIVE,
                    e.getMessage() + "; is qemu-ga running in the guest?", e);
        }
    }

    /** The agent timeout: BACKPOINT_AGENT_TIMEOUT seconds (or -Dbackpoint.agent.timeout), 30 by default. */
    public static Duration configuredTimeout() {
        String s = System.getProperty("backpoint.agent.timeout", System.getenv("BACKPOINT_AGENT_TIMEOUT"));
        try {
            return s == null ? Duration.ofSeconds(30) : Duration.ofMillis((long) (Double.parseDouble(s) * 1000));
        } catch (NumberFormatException e) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "BACKPOINT_AGENT_TIMEOUT '%s' is not a number of seconds", s);
        }
    }

    /**
     * Freezes, runs {@code instant}, thaws, whatever the instant does. Once per connect.
     *
     * @return how long the file systems were frozen (freeze sent to thaw answered)
     */
    public Duration around(Instant instant) throws IOException {
        Thread hook = new Thread(this::thawQuietly, "backpoint-thaw");
        ACTIVE.add(intent);
        try {
            writeIntent();
            Runtime.getRuntime().addShutdownHook(hook);
            long start = System.nanoTime();
            try {
                freeze();
                Runnable hookForTests = whileFrozen;
                if (hookForTests != null) {
                    hookForTests.run();
                }
                instant.run();
            } catch (IOException | RuntimeException | Error e) {
                try {
                    thaw();
                } catch (RuntimeException t) {
                    e.addSuppressed(t);
                }
                throw e;
            }
            thaw();
            lastWindow = Duration.ofNanos(System.nanoTime() - start);
            return lastWindow;
        } finally {
            removeHook(hook);
            closeAgent();
            ACTIVE.remove(intent);
        }
    }

    @Override
    public void close() {
        closeAgent();
    }

    /** How long the last freeze of this JVM lasted (freeze sent to thaw answered); null before any. */
    public static Duration lastWindow() {
        return lastWindow;
    }

    private synchronized void freeze() {
        frozen = true;
        try {
            agent.freeze(timeout);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot freeze the guest's file systems: " + e.getMessage(), e);
        }
    }

    /**
     * Thaws if a freeze may be in force; on success the intent record goes. An interrupt
     * (the reason the instant failed, perhaps) is set aside meanwhile: it would cut the thaw short.
     */
    private synchronized void thaw() {
        if (!frozen) {
            deleteIntent();
            return;
        }
        boolean interrupted = Thread.interrupted();
        try {
            thawFrozen();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void thawFrozen() {
        try {
            if (agent == null) {
                agent = GuestAgent.connect(agentSocket, timeout);
            }
            agent.thaw(timeout);
        } catch (IOException e) {
            closeAgent();
            // One more try on a fresh connection: a freeze that timed out closed the old one.
            try (GuestAgent fresh = GuestAgent.connect(agentSocket, timeout)) {
                fresh.thaw(timeout);
            } catch (IOException again) {
                e.addSuppressed(again);
                throw new BackpointException(ErrorCode.AGENT_UNRESPONSIVE, "cannot thaw the guest's file systems: "
                        + e.getMessage() + "; the next call on this domain tries again (record '" + intent + "')", e);
            }
        }
        frozen = false;
        deleteIntent();
    }

    private void thawQuietly() {
        try {
            thaw();
        } catch (RuntimeException e) {
            System.err.println("backpoint: " + e.getMessage());
        }
    }

    /**
     * Thaws a guest that a process killed during a freeze left frozen, if {@code intent} says one
     * may be. Quiet: a caller that cannot reach the agent goes on with its own work (a destroy
     * must still work), and the record stays for the next caller.
     *
     * @return true if no freeze is left in force (or none was recorded)
     */
    public static boolean recover(Path intent, Duration timeout) {
        Path key = intent.toAbsolutePath();
        if (ACTIVE.contains(key) || !Files.exists(key)) {
            return true;
        }
        Path socket;
        try {
            socket = Path.of(Files.readString(key, StandardCharsets.UTF_8).strip());
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
        try (GuestAgent agent = GuestAgent.connect(socket, timeout)) {
            agent.thaw(timeout);
            Files.deleteIfExists(key);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void writeIntent() {
        try {
            AtomicFiles.write(intent, agentSocket.toAbsolutePath() + "\n");
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "cannot write the freeze record '" + intent + "': " + e.getMessage(), e);
        }
    }

    private void deleteIntent() {
        try {
            Files.deleteIfExists(intent);
        } catch (IOException e) {
            // The next caller's recover() thaws a thawed guest: harmless.
        }
    }

    private void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // shutting down already (the hook runs) or never added
        }
    }

    private synchronized void closeAgent() {
        if (agent != null) {
            agent.close();
            agent = null;
        }
    }

}
