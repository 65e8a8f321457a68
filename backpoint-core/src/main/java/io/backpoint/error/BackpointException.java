package io.backpoint.error;

/**
 * The one exception Backpoint's API throws. It carries an {@link ErrorCode} with libvirt's
 * number and a detail message in libvirt's style (lower case, user values in single quotes).
 * {@link #getMessage()} is what libvirt's error would print: prefix, colon, detail.
 */
public final class BackpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String detail;
    private final int number;
    private final int origin;

    public BackpointException(ErrorCode code, String detail) {
        this(code, detail, null);
    }

    public BackpointException(ErrorCode code, String detail, Throwable cause) {
        this(code, detail, cause, format(code, detail));
    }

    private BackpointException(ErrorCode code, String detail, Throwable cause, String message) {
        this(code, detail, cause, message, code.number(), 0);
    }

    private BackpointException(ErrorCode code, String detail, Throwable cause, String message, int number, int origin) {
        super(message, cause);
        this.code = code;
        this.detail = detail;
        this.number = number;
        this.origin = origin;
    }

    /**
     * An error libvirt reported (virError): its virErrorNumber, its virErrorDomain and its message
     * exactly as libvirt formatted it, which is what virsh prints after "error: ". {@link #code()}
     * is the matching code, INTERNAL_ERROR for a number Backpoint has no name for; {@link #number()}
     * is always libvirt's.
     */
    public static BackpointException reported(int number, int origin, String message) {
        ErrorCode code = ErrorCode.INTERNAL_ERROR;
        for (ErrorCode c : ErrorCode.values()) {
            if (c.number() == number) {
                code = c;
            }
        }
        return new BackpointException(code, message, null, message, number, origin);
    }

    /**
     * An INVALID_ARG error whose message is the detail alone, as libvirt's virReportInvalidArg
     * raises it (used by virCheckFlags and the exclusive/required flag checks): virsh prints
     * "error: unsupported flags (0x4) in function ..." with no "invalid argument: " before it.
     */
    public static BackpointException invalidArg(String format, Object... args) {
        String detail = args.length == 0 ? format : String.format(format, args);
        return new BackpointException(ErrorCode.INVALID_ARG, detail, null, detail);
    }

    /** NO_DOMAIN for a domain name, in libvirt's words. */
    public static BackpointException noDomain(String name) {
        return of(ErrorCode.NO_DOMAIN, "no domain with matching name '%s'", name);
    }

    /** Shorthand with {@link String#format} arguments. */
    public static BackpointException of(ErrorCode code, String format, Object... args) {
        return new BackpointException(code, args.length == 0 ? format : String.format(format, args));
    }

    public ErrorCode code() {
        return code;
    }

    /** libvirt's virErrorNumber: {@code code().number()}, or for a reported error the number libvirt gave. */
    public int number() {
        return number;
    }

    /** libvirt's virErrorDomain (which part of libvirt raised it) for a reported error, else 0. */
    public int origin() {
        return origin;
    }

    /** The message without libvirt's prefix for the code. */
    public String detail() {
        return detail;
    }

    private static String format(ErrorCode code, String detail) {
        if (code.prefix() == null) {
            return detail;
        }
        if (detail == null || detail.isEmpty()) {
            return code.prefix();
        }
        // libvirt's own wording for some codes starts with the prefix ("no connection driver
        // available for X"): said once, as libvirt prints it.
        return detail.startsWith(code.prefix() + " ") ? detail : code.prefix() + ": " + detail;
    }
}
