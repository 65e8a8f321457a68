package io.backpoint.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.Objects;

/**
 * An asynchronous QMP event (JOB_STATUS_CHANGE, BLOCK_JOB_COMPLETED, SHUTDOWN, ...).
 *
 * @param name the event name
 * @param data the event's data object, or a NullNode when it has none
 * @param seconds QEMU's timestamp, seconds part
 * @param microseconds QEMU's timestamp, microseconds part
 */
public record QmpEvent(String name, JsonNode data, long seconds, long microseconds) {
    public QmpEvent {
        Objects.requireNonNull(name, "name");
        data = data == null ? NullNode.instance : data;
    }
}
