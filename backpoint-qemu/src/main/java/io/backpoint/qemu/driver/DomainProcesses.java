package io.backpoint.qemu.driver;

import io.backpoint.util.IoErrors;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.DomainDef;
import io.backpoint.qemu.process.Kvm;
import io.backpoint.qemu.process.QemuCommandLine;
import io.backpoint.qemu.process.QemuProcess;
import io.backpoint.qemu.qmp.QmpClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Starting, finding and stopping a domain's QEMU in its run directory. */
final class DomainProcesses {
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** How long QEMU gets to quit cleanly (writing its bitmaps) before it is killed. */
    static final Duration STOP_GRACE = Duration.ofSeconds(30);
    /** How long destroy waits for the monitor (another client may hold it) before using SIGTERM. */
    static final Duration MONITOR_WAIT = Duration.ofSeconds(5);

    private DomainProcesses() {}

    /** Refuses a definition Backpoint cannot run, at define time rather than at start. */
    static void checkSupported(DomainDef def) {
        QemuCommandLine.build(def, Path.of("/run/backpoint-check"), true);
    }

    static Path pidFile(Path runDir, String name) {
        return QemuCommandLine.pidFile(runDir, name);
    }

    static Path qmpSocket(Path runDir, String name) {
        return QemuCommandLine.qmpSocket(runDir, name);
    }

    static Path logFile(Path runDir, String name) {
        return QemuCommandLine.logFile(runDir, name);
    }

    static void launch(DomainDef def, Path runDir) {
        List<String> argv = QemuCommandLine.build(def, runDir, Kvm.usable());
        try {
            QemuProcess.launch(argv, pidFile(runDir, def.name()), qmpSocket(runDir, def.name()),
                    logFile(runDir, def.name()), START_TIMEOUT);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot start domain '" + def.name() + "': " + IoErrors.reason(e), e);
        }
    }

    /** The running QEMU of this run directory, if any. */
    static Optional<QemuProcess> find(Path runDir, String name) {
        Path pid = pidFile(runDir, name);
        if (!Files.exists(pid)) {
            return Optional.empty();
        }
        try {
            return QemuProcess.attach(pid).filter(QemuProcess::isAlive);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Asks QEMU to quit (so it saves its persistent bitmaps), kills it after the grace period. */
    static void stop(QemuProcess process, Path runDir, String name) throws IOException {
        QmpClient qmp;
        try {
            qmp = QmpSessions.open(qmpSocket(runDir, name), name, MONITOR_WAIT);
        } catch (BackpointException e) {
            // No monitor to ask (busy, or gone): SIGTERM also makes QEMU close its images
            // cleanly; SIGKILL only if that does not work within the grace period.
            process.terminate(STOP_GRACE);
            return;
        }
        try (qmp) {
            process.stop(qmp, STOP_GRACE);
        }
    }
}
