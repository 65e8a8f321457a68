package io.backpoint.qemu.blockjob;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.util.CrashPoints;
import java.io.IOException;

/** One QMP command of a block-job plan, and the one place it is sent. */
record PullStep(String command, ObjectNode arguments) {
    /** {@code {"execute": ..., "arguments": ...}}, as the golden files spell it. */
    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("execute", command);
        if (arguments != null) {
            o.set("arguments", arguments);
        }
        return o;
    }

    JsonNode runOn(QmpClient qmp) throws IOException {
        CrashPoints.before("qmp:" + command);
        JsonNode reply = qmp.connection().execute(command, arguments);
        CrashPoints.after("qmp:" + command);
        return reply;
    }
}
