package io.backpoint.qemu.domain;

import io.backpoint.driver.CheckpointStore;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.DomainDef;
import io.backpoint.qemu.agent.GuestFreeze;
import io.backpoint.qemu.process.QemuCommandLine;
import io.backpoint.qemu.qmp.QmpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One domain for the length of one call (libvirt's qemu_domain): created when the call takes the
 * domain's lock and closed when it lets go. It parses the running definition once, opens at
 * most one QMP session (lazily, only if something asks), and names every file through
 * {@link DomainFiles}. The checkpoint and backup mechanics get this and nothing of the driver.
 */
public final class QemuDomain implements AutoCloseable {
    private final String name;
    private final DomainFiles files;
    private final Supplier<DomainDef> loadDefinition;
    private final BooleanSupplier running;
    private final Supplier<CheckpointStore> checkpoints;
    private final Clock clock;
    private final QemuObserver observer;
    private DomainDef definition;
    private QmpClient qmp;

    /**
     * @param loadDefinition reads the running definition if the domain runs, else the persistent one
     * @param running whether the domain's QEMU runs (a dead one is cleaned up on the way)
     */
    public QemuDomain(String name, DomainFiles files, Supplier<DomainDef> loadDefinition, BooleanSupplier running,
            Supplier<CheckpointStore> checkpoints, Clock clock, QemuObserver observer) {
        this.name = name;
        this.files = files;
        this.loadDefinition = loadDefinition;
        this.running = running;
        this.checkpoints = checkpoints;
        this.clock = clock;
        this.observer = observer;
    }

    public String name() {
        return name;
    }

    public DomainFiles files() {
        return files;
    }

    public Clock clock() {
        return clock;
    }

    public CheckpointStore checkpoints() {
        return checkpoints.get();
    }

    /** The running definition (the persistent one when shut off), parsed once per call. */
    public DomainDef definition() {
        if (definition == null) {
            definition = loadDefinition.get();
            observer.definitionParsed(name);
        }
        return definition;
    }

    /**
     * The call's QMP session, opened on first use and closed with the seam: callers must not
     * close it. OPERATION_INVALID when the domain is not running.
     */
    public QmpClient qmp() {
        return qmp(QmpSessions.TIMEOUT);
    }

    /**
     * As {@link #qmp()}, waiting at most {@code monitorWait} for the monitor when the session is
     * not open yet (QEMU serves one client at a time: another may hold it).
     */
    public QmpClient qmp(Duration monitorWait) {
        if (qmp != null && qmp.isOpen()) {
            return qmp;
        }
        if (!running.getAsBoolean()) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID, "domain is not running");
        }
        closeSession();
        qmp = QmpSessions.open(files.qmpSocket(), name, monitorWait, step -> observer.sent(name, step));
        observer.sessionOpened(name);
        return qmp;
    }

    /**
     * The running domain's guest agent, checked to answer, ready to freeze the guest around one
     * instant. ARGUMENT_UNSUPPORTED without an agent channel, AGENT_UNRESPONSIVE when it is silent.
     */
    public GuestFreeze guestFreeze() {
        if (!running.getAsBoolean()) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID, "domain is not running");
        }
        Path socket = QemuCommandLine.agentSocket(definition(), files.runDir()).orElseThrow(
                () -> new BackpointException(ErrorCode.ARGUMENT_UNSUPPORTED, "QEMU guest agent is not configured:"
                        + " quiesce needs <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"));
        return GuestFreeze.connect(socket, files.frozenRecord(), GuestFreeze.configuredTimeout());
    }

    /**
     * Forgets what was read and closes the session: the domain was started or stopped within the
     * call, so its definition and monitor are no longer the ones seen.
     */
    public void reset() {
        definition = null;
        closeSession();
    }

    private void closeSession() {
        if (qmp != null) {
            qmp.close();
            qmp = null;
        }
    }

    @Override
    public void close() {
        closeSession();
    }
}
