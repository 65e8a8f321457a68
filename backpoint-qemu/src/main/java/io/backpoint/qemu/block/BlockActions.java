package io.backpoint.qemu.block;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Transaction actions ({@code {"type": ..., "data": {...}}}) spelled as QEMU's
 * transaction.json and block-core.json define them, with keys in libvirt's order so planner
 * output can be compared with libvirt's traces textually.
 */
public final class BlockActions {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private BlockActions() {}

    /** A bitmap in a merge's source list. */
    public record Source(String node, String name) {}

    /**
     * {@code block-dirty-bitmap-add}.
     *
     * @param granularity bytes, or null for QEMU's default
     */
    public static ObjectNode bitmapAdd(String node, String name, boolean persistent, boolean disabled, Long granularity) {
        ObjectNode data = F.objectNode().put("node", node).put("name", name)
                .put("persistent", persistent).put("disabled", disabled);
        if (granularity != null) {
            data.put("granularity", granularity);
        }
        return action("block-dirty-bitmap-add", data);
    }

    /** {@code block-dirty-bitmap-remove}. */
    public static ObjectNode bitmapRemove(String node, String name) {
        return action("block-dirty-bitmap-remove", F.objectNode().put("node", node).put("name", name));
    }

    /**
     * {@code block-dirty-bitmap-merge} of {@code sources} into {@code target} on {@code node}.
     *
     * @throws IllegalArgumentException for an empty source list: QEMU 7.2 crashes on one
     */
    public static ObjectNode bitmapMerge(String node, String target, List<Source> sources) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("a bitmap merge needs at least one source");
        }
        ObjectNode data = F.objectNode().put("node", node).put("target", target);
        ArrayNode arr = data.putArray("bitmaps");
        for (Source s : sources) {
            arr.addObject().put("node", s.node()).put("name", s.name());
        }
        return action("block-dirty-bitmap-merge", data);
    }

    private static ObjectNode action(String type, ObjectNode data) {
        ObjectNode a = F.objectNode().put("type", type);
        a.set("data", data);
        return a;
    }
}
