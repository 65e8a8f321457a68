package io.backpoint.nbd;

/** The error numbers an NBD server may put in a reply (proto.md, "Error values"). */
public enum NbdError {
    EPERM(1, "operation not permitted"),
    EIO(5, "input/output error"),
    ENOMEM(12, "cannot allocate memory"),
    EINVAL(22, "invalid argument"),
    ENOSPC(28, "no space left on device"),
    EOVERFLOW(75, "value too large"),
    ENOTSUP(95, "operation not supported"),
    ESHUTDOWN(108, "server is shutting down");

    private final int code;
    private final String description;

    NbdError(int code, String description) {
        this.code = code;
        this.description = description;
    }

    public int code() {
        return code;
    }

    public String description() {
        return description;
    }

    /** The spec tells clients to treat an unexpected error value as EINVAL. */
    public static NbdError fromCode(int code) {
        for (NbdError e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return EINVAL;
    }
}
