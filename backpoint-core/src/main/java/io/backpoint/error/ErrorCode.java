package io.backpoint.error;

/**
 * Error codes. Numbers follow libvirt's {@code virErrorNumber} where the meaning is the same,
 * so programs ported from libvirt keep their numbers; the prefix is the text libvirt puts
 * before the detail ("invalid argument: ...").
 */
public enum ErrorCode {
    INTERNAL_ERROR(1, "internal error"),
    NO_SUPPORT(3, "this function is not supported by the connection driver"),
    NO_CONNECT(5, "no connection driver available"),
    INVALID_ARG(8, "invalid argument"),
    OPERATION_FAILED(9, "operation failed"),
    XML_ERROR(27, "XML error"),
    OPERATION_DENIED(29, "operation forbidden"),
    OPEN_FAILED(30, "failed to open"),
    READ_FAILED(31, "failed to read"),
    WRITE_FAILED(34, "failed to write"),
    SYSTEM_ERROR(38, null),
    NO_DOMAIN(42, "Domain not found"),
    OPERATION_INVALID(55, "Requested operation is not valid"),
    CONFIG_UNSUPPORTED(67, "unsupported configuration"),
    OPERATION_TIMEOUT(68, "Timed out during operation"),
    ARGUMENT_UNSUPPORTED(74, "argument unsupported"),
    OPERATION_ABORTED(78, "operation aborted"),
    OPERATION_UNSUPPORTED(84, "Operation not supported"),
    AGENT_UNRESPONSIVE(86, "Guest agent is not responding"),
    RESOURCE_BUSY(87, "resource busy"),
    XML_INVALID_SCHEMA(92, "XML document failed to validate against schema"),
    INVALID_DOMAIN_CHECKPOINT(102, "Invalid domain checkpoint"),
    NO_DOMAIN_CHECKPOINT(103, "Domain checkpoint not found"),
    NO_DOMAIN_BACKUP(104, "Domain backup job id not found"),
    CHECKPOINT_INCONSISTENT(109, "checkpoint inconsistent");

    private final int number;
    private final String prefix;

    ErrorCode(int number, String prefix) {
        this.number = number;
        this.prefix = prefix;
    }

    /** libvirt's number for this code. */
    public int number() {
        return number;
    }

    /** The text libvirt prints before the detail, or null when the detail stands alone. */
    public String prefix() {
        return prefix;
    }

    public static ErrorCode fromNumber(int number) {
        for (ErrorCode code : values()) {
            if (code.number == number) {
                return code;
            }
        }
        throw new IllegalArgumentException("no error code " + number);
    }
}
