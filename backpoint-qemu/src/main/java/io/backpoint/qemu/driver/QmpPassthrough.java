package io.backpoint.qemu.driver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.qemu.qmp.QmpException;
import io.backpoint.qemu.qmp.QmpStep;
import java.io.IOException;

/** qemu-monitor-command in QMP mode: a user's JSON command sent as is, the reply printed as QMP would. */
final class QmpPassthrough {
    private static final ObjectMapper JSON = new ObjectMapper();

    private QmpPassthrough() {}

    static String execute(QmpClient qmp, String command) throws IOException {
        JsonNode request;
        try {
            request = JSON.readTree(command);
        } catch (JsonProcessingException e) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "monitor command is not valid JSON: %s", e.getOriginalMessage());
        }
        if (request == null || !request.isObject() || !request.path("execute").isTextual()) {
            throw new BackpointException(ErrorCode.INVALID_ARG, "monitor command must be a JSON object with \"execute\"");
        }
        String name = request.get("execute").asText();
        JsonNode args = request.get("arguments");
        ObjectNode reply = JSON.createObjectNode();
        try {
            reply.set("return", qmp.execute(new QmpStep(name, args)));
        } catch (QmpException e) {
            ObjectNode error = reply.putObject("error");
            error.put("class", e.errorClass());
            error.put("desc", e.desc());
        }
        if (request.has("id")) {
            reply.set("id", request.get("id"));
        }
        return JSON.writeValueAsString(reply);
    }
}
