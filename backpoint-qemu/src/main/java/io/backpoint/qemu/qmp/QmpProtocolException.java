package io.backpoint.qemu.qmp;

/**
 * The peer sent something that is not QMP (not JSON, a line too long, a reply we cannot match,
 * no greeting). The connection cannot be trusted after that, so it is closed: this is a kind of
 * disconnect, and callers that only care whether the monitor is gone can catch the superclass.
 */
public class QmpProtocolException extends QmpDisconnectedException {
    private static final long serialVersionUID = 1L;

    public QmpProtocolException(String message) {
        super(message);
    }

    public QmpProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
