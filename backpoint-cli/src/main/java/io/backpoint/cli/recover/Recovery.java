package io.backpoint.cli.recover;

import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.util.CrashPoints;
import io.backpoint.vocab.BlockJobInfo;
import io.backpoint.vocab.BlockPullFlag;
import io.backpoint.vocab.DomainState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Brings a recovery recorded in {@link RecoverState} as far as it can go, from wherever a previous
 * call stopped: the server up, one overlay per disk, the domain defined and running, a pull job
 * on every disk that still depends on the server; and, when asked, waits for the copy and stops
 * the server. Every step looks at what is really there first, so running it again is always safe.
 */
final class Recovery {
    private static final Duration POLL = Duration.ofMillis(500);
    /** How long a copy that keeps failing while the server is up is started again. */
    private static final Duration RETRY_WINDOW = Duration.ofSeconds(60);

    private final Connection conn;
    private final RecoverState state;
    private final Path xmlFile;
    private final SnapshotServer server;
    private final Overlays overlays;
    private final PrintStream out;
    private final long bandwidth;

    /** @param bandwidth bytes/s each disk's copy may read from the server, 0 for no limit */
    Recovery(Connection conn, RecoverState state, Path xmlFile, SnapshotServer server, Overlays overlays, PrintStream out,
            long bandwidth) {
        this.conn = conn;
        this.state = state;
        this.xmlFile = xmlFile;
        this.server = server;
        this.overlays = overlays;
        this.out = out;
        this.bandwidth = bandwidth;
    }

    /** The disks whose overlay still reads from the server. */
    List<RecoverState.Disk> dependentDisks() {
        List<RecoverState.Disk> dependent = new ArrayList<>();
        for (RecoverState.Disk d : state.disks()) {
            if (!overlays.independent(d)) {
                dependent.add(d);
            }
        }
        return dependent;
    }

    /**
     * Runs the recovery up to a running domain with the copy under way; returns the disks still
     * being copied (empty when the copy had completed: the server is then stopped).
     */
    List<RecoverState.Disk> advance() throws InterruptedException {
        Optional<Domain> existing = lookup();
        List<RecoverState.Disk> dependent = existing.isPresent() ? dependentDisks() : state.disks();
        if (existing.isPresent() && dependent.isEmpty()) {
            server.stop();
            return dependent;
        }
        boolean restarted = !server.alive();
        server.start();
        Domain dom;
        if (existing.isEmpty()) {
            // Overlays a killed call left empty are made again; one holding data (the domain was
            // undefined after it ran) is refused by create, never replaced.
            try {
                for (RecoverState.Disk d : state.disks()) {
                    CrashPoints.before("recover:overlay:" + d.name());
                    overlays.create(d, server.socket(), xmlFile);
                    CrashPoints.after("recover:overlay:" + d.name());
                }
            } catch (BackpointException e) {
                // No domain runs on the overlays: nothing needs the server this call started.
                server.stop();
                throw e;
            }
            CrashPoints.before("recover:define");
            dom = conn.defineDomain(readXml());
            CrashPoints.after("recover:define");
        } else {
            dom = existing.get();
        }
        boolean wasRunning = dom.state() == DomainState.RUNNING;
        if (!wasRunning) {
            CrashPoints.before("recover:start");
            dom.start();
            CrashPoints.after("recover:start");
        }
        Supervisor supervisor = new Supervisor(dom);
        supervisor.look();
        if (restarted && wasRunning) {
            // QEMU's NBD client reconnects to a restarted server on its own, backing off up to
            // 16 s between attempts; until it has, a copy fails at once and is started again.
            long deadline = System.nanoTime() + RETRY_WINDOW.toNanos();
            while (!supervisor.allMoving() && System.nanoTime() < deadline) {
                Thread.sleep(POLL.toMillis());
                supervisor.look();
            }
        }
        List<RecoverState.Disk> left = dependentDisks();
        if (left.isEmpty()) {
            server.stop();
        }
        return left;
    }

    /**
     * Waits until no disk depends on the server, then stops it. Returns false if {@code stop}
     * asked to stop waiting first (the copy goes on).
     *
     * @throws BackpointException OPERATION_FAILED when a disk's copy stopped before completing
     */
    boolean await(PullProgress progress, BooleanSupplier stop) throws InterruptedException {
        Domain dom = lookup().orElseThrow(() -> BackpointException.of(ErrorCode.NO_DOMAIN,
                "domain '%s' is gone", state.name()));
        Supervisor supervisor = new Supervisor(dom);
        try {
            while (true) {
                boolean copying = supervisor.look();
                progress.update(supervisor.cur, supervisor.end);
                if (!copying) {
                    break;
                }
                if (stop.getAsBoolean()) {
                    return false;
                }
                Thread.sleep(POLL.toMillis());
            }
        } finally {
            progress.finish();
        }
        server.stop();
        return true;
    }

    /**
     * Looks at every disk's copy and starts again one that stopped while the server is up, for
     * up to {@link #RETRY_WINDOW} without progress; with the server down, or past that, the
     * failure is the caller's.
     */
    private final class Supervisor {
        private final Domain dom;
        private final Map<String, Long> lastCur = new HashMap<>();
        private final Map<String, Long> failingSince = new HashMap<>();
        private final Set<String> moving = new HashSet<>();
        long cur;
        long end;

        Supervisor(Domain dom) {
            this.dom = dom;
        }

        /** One look; true while some disk is still being copied. */
        boolean look() {
            cur = 0;
            end = 0;
            boolean copying = false;
            for (RecoverState.Disk d : state.disks()) {
                Optional<BlockJobInfo> info;
                String failure = null;
                try {
                    info = dom.blockJobInfo(d.name());
                } catch (BackpointException e) {
                    info = Optional.empty();
                    failure = e.getMessage();
                }
                if (info.isPresent()) {
                    copying = true;
                    cur += info.get().cur();
                    end += info.get().end();
                    long before = lastCur.getOrDefault(d.name(), -1L);
                    if (info.get().cur() > before && before >= 0) {
                        failingSince.remove(d.name());
                        moving.add(d.name());
                    }
                    lastCur.put(d.name(), info.get().cur());
                } else if (overlays.independent(d)) {
                    cur += d.size();
                    end += d.size();
                    moving.add(d.name());
                } else {
                    copying = true;
                    cur += lastCur.getOrDefault(d.name(), 0L);
                    end += d.size();
                    restart(d, failure);
                }
            }
            return copying;
        }

        boolean allMoving() {
            return moving.size() == state.disks().size();
        }

        /** @param why the failure QEMU reported, or null when no copy was running (a first start) */
        private void restart(RecoverState.Disk d, String why) {
            moving.remove(d.name());
            lastCur.remove(d.name());
            long now = System.nanoTime();
            Long since = failingSince.putIfAbsent(d.name(), now);
            if (!server.alive()) {
                throw stopped(d, (why == null ? "no copy is running" : why) + " and the serve process is not running");
            }
            if (since != null && now - since > RETRY_WINDOW.toNanos()) {
                throw stopped(d, why == null ? "it does not start" : why);
            }
            if (since == null && why != null) {
                out.println("The copy of disk " + d.name() + " had stopped (" + why + "); starting it again");
            }
            dom.blockPull(d.name(), bandwidth, Set.of(BlockPullFlag.BANDWIDTH_BYTES));
        }
    }

    private BackpointException stopped(RecoverState.Disk d, String why) {
        return BackpointException.of(ErrorCode.OPERATION_FAILED, "the copy of disk '%s' stopped before it completed: %s;"
                + " the VM keeps running on what was copied; run the same recover command again to resume", d.name(), why);
    }

    private Optional<Domain> lookup() {
        try {
            return Optional.of(conn.domainByName(state.name()));
        } catch (BackpointException e) {
            if (e.code() == ErrorCode.NO_DOMAIN) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private String readXml() {
        try {
            return Files.readString(xmlFile);
        } catch (IOException e) {
            throw BackpointException.of(ErrorCode.OPERATION_FAILED, "cannot read '%s': %s", xmlFile, e.getMessage());
        }
    }
}
