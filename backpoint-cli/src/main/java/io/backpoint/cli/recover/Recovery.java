package io.backpoint.cli.recover;

import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.vocab.BlockJobInfo;
import io.backpoint.vocab.BlockPullFlag;
import io.backpoint.vocab.DomainState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    List<RecoverState.Disk> advance() {
        Optional<Domain> existing = lookup();
        List<RecoverState.Disk> dependent = existing.isPresent() ? dependentDisks() : state.disks();
        if (existing.isPresent() && dependent.isEmpty()) {
            server.stop();
            return dependent;
        }
        server.start();
        Domain dom;
        if (existing.isEmpty()) {
            // Nothing has run on the overlays yet, so ones a killed call left are made again.
            for (RecoverState.Disk d : state.disks()) {
                overlays.create(d, server.socket());
            }
            dom = conn.defineDomain(readXml());
        } else {
            dom = existing.get();
        }
        if (dom.state() != DomainState.RUNNING) {
            dom.start();
        }
        for (RecoverState.Disk d : dependent) {
            try {
                if (dom.blockJobInfo(d.name()).isPresent()) {
                    continue;
                }
            } catch (BackpointException e) {
                out.println("The copy of disk " + d.name() + " had stopped (" + e.getMessage() + "); resuming it");
            }
            if (!overlays.independent(d)) {
                dom.blockPull(d.name(), bandwidth, Set.of(BlockPullFlag.BANDWIDTH_BYTES));
            }
        }
        return dependentDisks();
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
        try {
            while (true) {
                long cur = 0;
                long end = 0;
                boolean copying = false;
                for (RecoverState.Disk d : state.disks()) {
                    Optional<BlockJobInfo> info;
                    try {
                        info = dom.blockJobInfo(d.name());
                    } catch (BackpointException e) {
                        throw stopped(d, e.getMessage());
                    }
                    if (info.isPresent()) {
                        copying = true;
                        cur += info.get().cur();
                        end += info.get().end();
                    } else if (!overlays.independent(d)) {
                        throw stopped(d, "its block job is gone");
                    } else {
                        cur += d.size();
                        end += d.size();
                    }
                }
                progress.update(cur, end);
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
