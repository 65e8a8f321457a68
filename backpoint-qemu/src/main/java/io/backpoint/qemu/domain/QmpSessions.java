package io.backpoint.qemu.domain;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.qemu.qmp.QmpConnection;
import io.backpoint.qemu.qmp.QmpException;
import io.backpoint.qemu.qmp.QmpStep;
import io.backpoint.util.IoErrors;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Opening a QMP session to a running domain, and the one place where QMP failures become
 * Backpoint errors ("unable to execute QEMU command 'X': ...", as libvirt words it), for the
 * driver, its checkpoint and its backup code alike.
 */
public final class QmpSessions {
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private QmpSessions() {}

    /**
     * Waits at most {@code monitorWait} for the monitor (QEMU serves one client at a time; others
     * wait for the greeting); commands then get {@link #TIMEOUT} each.
     */
    public static QmpClient open(Path socket, String domain, Duration monitorWait, Consumer<QmpStep> observer) {
        try {
            return new QmpClient(QmpConnection.open(socket, monitorWait, TIMEOUT, null), observer);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot connect to the monitor of domain '" + domain + "': " + IoErrors.reason(e), e);
        }
    }

    /**
     * Translates a QMP-level failure during {@code what}: a command QEMU refused is named as sent
     * (it may be one step of {@code what}); a broken connection names {@code what}.
     */
    public static BackpointException translate(String what, IOException e) {
        if (e instanceof QmpException q) {
            return new BackpointException(ErrorCode.INTERNAL_ERROR, q.libvirtMessage(), e);
        }
        return new BackpointException(ErrorCode.OPERATION_FAILED,
                "QEMU monitor failed during '" + what + "': " + IoErrors.reason(e), e);
    }
}
