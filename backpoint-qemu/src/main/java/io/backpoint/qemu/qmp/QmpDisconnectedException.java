package io.backpoint.qemu.qmp;

import java.io.IOException;

/**
 * The monitor connection is gone: QEMU closed it (it exited or crashed), it was closed locally,
 * or it could not be established. Commands in flight get this, and so does every later command.
 */
public class QmpDisconnectedException extends IOException {
    private static final long serialVersionUID = 1L;

    public QmpDisconnectedException(String message) {
        super(message);
    }

    public QmpDisconnectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
