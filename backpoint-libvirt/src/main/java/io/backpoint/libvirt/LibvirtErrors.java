package io.backpoint.libvirt;

import com.sun.jna.Pointer;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;

/** libvirt's last error on this thread as a BackpointException: code, domain and message one to one. */
final class LibvirtErrors {
    private LibvirtErrors() {}

    /** The error the failed call left (virGetLastError), or an internal error naming the call when it left none. */
    static BackpointException last(String function) {
        Libvirt lib = Libvirt.get();
        Pointer err = lib.virGetLastError();
        if (err == null) {
            return BackpointException.of(ErrorCode.INTERNAL_ERROR, "%s failed without an error from libvirt", function);
        }
        // struct _virError { int code; int domain; char *message; ... }
        int code = err.getInt(0);
        int domain = err.getInt(4);
        Pointer message = err.getPointer(8);
        String text = message == null ? "unknown error" : message.getString(0, "UTF-8");
        lib.virResetLastError();
        return BackpointException.reported(code, domain, text);
    }

    /** Fails with libvirt's error when {@code rc} is negative. */
    static int check(int rc, String function) {
        if (rc < 0) {
            throw last(function);
        }
        return rc;
    }

    /** Fails with libvirt's error when {@code p} is NULL. */
    static Pointer check(Pointer p, String function) {
        if (p == null) {
            throw last(function);
        }
        return p;
    }
}
