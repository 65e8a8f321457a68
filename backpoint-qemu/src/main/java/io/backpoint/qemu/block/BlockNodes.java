package io.backpoint.qemu.block;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bitmaps of every block node, read from {@code query-named-block-nodes} (flat). Only what
 * the planners need is kept; the JSON is QEMU's, so missing fields read as false/0 rather than
 * failing, and nodes without a name (none exist in flat mode with named nodes) are skipped.
 */
public final class BlockNodes {
    private final Map<String, List<BitmapState>> bitmaps;

    private BlockNodes(Map<String, List<BitmapState>> bitmaps) {
        this.bitmaps = bitmaps;
    }

    /** Parses the {@code return} array of {@code query-named-block-nodes}. */
    public static BlockNodes parse(JsonNode namedBlockNodes) {
        if (namedBlockNodes == null || !namedBlockNodes.isArray()) {
            throw new IllegalArgumentException("query-named-block-nodes result is not an array");
        }
        Map<String, List<BitmapState>> map = new LinkedHashMap<>();
        for (JsonNode n : namedBlockNodes) {
            String node = n.path("node-name").asText("");
            if (node.isEmpty()) {
                continue;
            }
            List<BitmapState> list = new ArrayList<>();
            for (JsonNode b : n.path("dirty-bitmaps")) {
                list.add(new BitmapState(node, b.path("name").asText(), b.path("recording").asBoolean(),
                        b.path("busy").asBoolean(), b.path("persistent").asBoolean(),
                        b.path("inconsistent").asBoolean(), b.path("granularity").asLong(), b.path("count").asLong()));
            }
            map.put(node, List.copyOf(list));
        }
        return new BlockNodes(map);
    }

    /** Whether QEMU has a node by this name. */
    public boolean hasNode(String node) {
        return bitmaps.containsKey(node);
    }

    /** The bitmaps of a node, in QEMU's order; empty for an unknown node. */
    public List<BitmapState> bitmaps(String node) {
        return bitmaps.getOrDefault(node, List.of());
    }

    /** A bitmap by node and name. */
    public Optional<BitmapState> bitmap(String node, String name) {
        for (BitmapState b : bitmaps(node)) {
            if (b.name().equals(name)) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }
}
