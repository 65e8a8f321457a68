package io.backpoint.qemu.backup;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.qemu.qmp.QmpException;
import java.io.IOException;

/** QMP failures of the backup code as Backpoint errors, in the driver's (libvirt's) wording. */
final class QmpErrors {
    private QmpErrors() {}

    static BackpointException translate(String what, IOException e) {
        if (e instanceof QmpException q) {
            return new BackpointException(ErrorCode.INTERNAL_ERROR,
                    QmpException.libvirtMessage(q.command(), q.desc()), e);
        }
        return new BackpointException(ErrorCode.OPERATION_FAILED,
                "QEMU monitor failed during '" + what + "': " + e.getMessage(), e);
    }
}
