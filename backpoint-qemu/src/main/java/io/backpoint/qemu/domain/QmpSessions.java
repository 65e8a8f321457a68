package io.backpoint.qemu.driver;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.qemu.qmp.QmpConnection;
import io.backpoint.qemu.qmp.QmpException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Opening a QMP session to a running domain, and the one place where QMP failures become
 * Backpoint errors ("unable to execute QEMU command 'X': ...", as libvirt words it), for the
 * driver and its backup code alike.
 */
public final class QmpSessions {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private QmpSessions() {}

    static QmpClient open(Path socket, String domain) {
        return open(socket, domain, TIMEOUT);
    }

    /** With a timeout of its own (QEMU serves one monitor client at a time; others wait). */
    static QmpClient open(Path socket, String domain, Duration timeout) {
        try {
            return new QmpClient(QmpConnection.open(socket, timeout));
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot connect to the monitor of domain '" + domain + "': " + e.getMessage(), e);
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
                "QEMU monitor failed during '" + what + "': " + e.getMessage(), e);
    }
}
