package io.backpoint.qemu.agent;

import java.io.IOException;

/** The guest agent answered a command with an error (its class and description kept as sent). */
public final class AgentException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String errorClass;
    private final String desc;

    AgentException(String command, String errorClass, String desc) {
        super("guest agent command '" + command + "' failed: " + errorClass + ": " + desc);
        this.errorClass = errorClass;
        this.desc = desc;
    }

    public String errorClass() {
        return errorClass;
    }

    public String desc() {
        return desc;
    }
}
