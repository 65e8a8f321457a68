package io.backpoint.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One QMP command as a planner plans it: its name and arguments, spelled as QEMU's schema spells
 * them. {@link QmpClient#execute(QmpStep)} is the only way a command reaches QEMU, so what the
 * planners return (and the golden files hold) is what runs.
 *
 * @param arguments the arguments object, or null for none
 */
public record QmpStep(String command, JsonNode arguments) {
    /**
     * A transaction action ({@code {"type": T, "data": D}}) run as a command of its own: QEMU's
     * transactionable commands take the same arguments on their own.
     */
    public static QmpStep ofAction(ObjectNode action) {
        return new QmpStep(action.path("type").asText(), action.get("data"));
    }

    /** {@code {"execute": ..., "arguments": ...}}, the form the libvirt traces record. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("execute", command);
        if (arguments != null) {
            o.set("arguments", arguments);
        }
        return o;
    }
}
