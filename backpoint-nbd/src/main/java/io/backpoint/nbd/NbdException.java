package io.backpoint.nbd;

import java.io.IOException;

/**
 * Anything that goes wrong talking NBD. {@link #kind()} says what callers can do about it: a
 * server error fails one request and the connection stays usable; every other kind has already
 * closed the connection (or never opened it).
 */
public final class NbdException extends IOException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** The server answered a request with an error number ({@link #error()}). */
        SERVER_ERROR,
        /** The server refused an option during the handshake (export not found, TLS required...). */
        OPTION_REFUSED,
        /** The server broke the protocol (bad magic, oversized length, unknown cookie...). */
        PROTOCOL,
        /** The server does not offer what was asked (oldstyle only, no write zeroes, no context...). */
        UNSUPPORTED,
        /** The connection closed, failed or timed out. */
        CLOSED
    }

    private final Kind kind;
    private final int errorNumber;
    private final String errorName;

    private NbdException(Kind kind, int errorNumber, String errorName, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.errorNumber = errorNumber;
        this.errorName = errorName;
    }

    static NbdException server(int code, String message) {
        NbdError e = NbdError.fromCode(code);
        return new NbdException(Kind.SERVER_ERROR, code, e.name(), message, null);
    }

    static NbdException optionRefused(int replyType, String message) {
        return new NbdException(Kind.OPTION_REFUSED, replyType & ~NbdProtocol.REP_ERR_BIT,
                NbdProtocol.replyErrorName(replyType), message, null);
    }

    static NbdException protocol(String message) {
        return new NbdException(Kind.PROTOCOL, 0, "EPROTO", message, null);
    }

    static NbdException unsupported(String message) {
        return new NbdException(Kind.UNSUPPORTED, NbdError.ENOTSUP.code(), "ENOTSUP", message, null);
    }

    static NbdException closed(String message, Throwable cause) {
        return new NbdException(Kind.CLOSED, 0, "ECONNRESET", message, cause);
    }

    public Kind kind() {
        return kind;
    }

    /** The NBD error number sent by the server (SERVER_ERROR) or the option error number; else 0. */
    public int errorNumber() {
        return errorNumber;
    }

    /** A short name: EIO, EINVAL, ENOSPC..., NBD_REP_ERR_UNKNOWN..., EPROTO, ECONNRESET. */
    public String errorName() {
        return errorName;
    }

    /** The server's error as an enum; only meaningful for {@link Kind#SERVER_ERROR}. */
    public NbdError error() {
        return kind == Kind.SERVER_ERROR ? NbdError.fromCode(errorNumber) : null;
    }
}
