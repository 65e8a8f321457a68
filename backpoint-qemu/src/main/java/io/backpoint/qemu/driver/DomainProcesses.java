package io.backpoint.qemu.driver;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.DomainDef;
import io.backpoint.qemu.domain.DomainFiles;
import io.backpoint.qemu.domain.QemuObserver;
import io.backpoint.qemu.domain.QmpSessions;
import io.backpoint.qemu.process.Kvm;
import io.backpoint.qemu.process.QemuCommandLine;
import io.backpoint.qemu.process.QemuProcess;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.util.IoErrors;
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

    static void launch(DomainDef def, DomainFiles files) {
        List<String> argv = QemuCommandLine.build(def, files.runDir(), Kvm.usable());
        try {
            QemuProcess.launch(argv, files.pidFile(), files.qmpSocket(), files.logFile(), START_TIMEOUT);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot start domain '" + def.name() + "': " + IoErrors.reason(e), e);
        }
    }

    /** The running QEMU of this run directory, if any. */
    static Optional<QemuProcess> find(DomainFiles files) {
        Path pid = files.pidFile();
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
    static void stop(QemuProcess process, DomainFiles files, QemuObserver observer) throws IOException {
        QmpClient qmp;
        String name = files.name();
        try {
            qmp = QmpSessions.open(files.qmpSocket(), name, MONITOR_WAIT, step -> observer.sent(name, step));
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
