package io.backpoint.qemu.qmp;

import java.io.IOException;

/**
 * QEMU answered a command with an error reply. Carries QMP's error class (GenericError,
 * DeviceNotFound, ...) and QEMU's description unchanged, so the driver boundary can translate
 * it once into libvirt's wording with {@link #libvirtMessage()}.
 */
public class QmpException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String command;
    private final String errorClass;
    private final String desc;

    public QmpException(String command, String errorClass, String desc) {
        super("QMP command '" + command + "' failed: " + errorClass + ": " + desc);
        this.command = command;
        this.errorClass = errorClass;
        this.desc = desc;
    }

    /** The command that failed, as sent ("transaction", "blockdev-add", ...). */
    public String command() {
        return command;
    }

    /** QMP's error class, e.g. GenericError. */
    public String errorClass() {
        return errorClass;
    }

    /** QEMU's human-readable description. */
    public String desc() {
        return desc;
    }

    /** The text libvirt shows for a failed monitor command (qemuMonitorJSONCheckError). */
    public String libvirtMessage() {
        return libvirtMessage(command, desc);
    }

    /** libvirt's wording for a failed monitor command. */
    public static String libvirtMessage(String command, String desc) {
        return "unable to execute QEMU command '" + command + "': " + desc;
    }
}
