package io.backpoint.qemu.qmp;

import java.io.IOException;

/**
 * No reply arrived in time. The connection stays open (QEMU may just be slow); a late reply is
 * dropped. Whether the command took effect is unknown, so callers re-read state before retrying.
 */
public class QmpTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;

    public QmpTimeoutException(String message) {
        super(message);
    }
}
