package io.backpoint.qemu.backup;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** One QMP command a plan runs: its name and arguments, spelled as QEMU's schema spells them. */
record QmpStep(String command, ObjectNode arguments) {
    /** {@code {"execute": ..., "arguments": ...}}, the form the libvirt traces record. */
    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("execute", command);
        if (arguments != null) {
            o.set("arguments", arguments);
        }
        return o;
    }
}
