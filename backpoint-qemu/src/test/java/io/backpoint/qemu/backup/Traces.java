package io.backpoint.qemu.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The libvirt 9.0 QMP traces under ../shared/reference/qmp-traces, read as sent commands. */
final class Traces {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Traces() {}

    static Optional<Path> dir() {
        List<Path> candidates = new ArrayList<>();
        String prop = System.getProperty("backpoint.shared");
        if (prop != null) {
            candidates.add(Path.of(prop));
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            candidates.add(d.resolve("shared"));
        }
        return candidates.stream().map(p -> p.resolve("reference/qmp-traces")).filter(Files::isDirectory).findFirst();
    }

    /** Every command sent, as {@code {execute, arguments}} without the id, in order. */
    static List<ObjectNode> sent(Path dir, String trace) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(trace + ".jsonl"))) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode o = JSON.readTree(line);
            if (o.path("dir").asText().equals("send")) {
                ObjectNode msg = ((ObjectNode) o.get("msg")).deepCopy();
                msg.remove("id");
                out.add(msg);
            }
        }
        return out;
    }

    /** The commands that change QEMU's block graph or start jobs (the ones a planner produces). */
    static List<ObjectNode> planned(List<ObjectNode> sent) {
        List<String> kinds = List.of("blockdev-add", "blockdev-create", "nbd-server-start", "transaction",
                "block-export-add");
        return sent.stream().filter(m -> kinds.contains(m.path("execute").asText())).toList();
    }

    /** The return value of the first query-named-block-nodes of a trace. */
    static JsonNode firstNamedBlockNodes(Path dir, String trace) throws IOException {
        String id = null;
        for (String line : Files.readAllLines(dir.resolve(trace + ".jsonl"))) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode o = JSON.readTree(line);
            JsonNode msg = o.get("msg");
            if (id == null && o.path("dir").asText().equals("send")
                    && msg.path("execute").asText().equals("query-named-block-nodes")) {
                id = msg.path("id").asText();
            } else if (id != null && o.path("dir").asText().equals("reply") && id.equals(msg.path("id").asText())) {
                return msg.get("return");
            }
        }
        throw new IOException("no query-named-block-nodes reply in " + trace);
    }

    /** A deep copy with every string equal to a key replaced by its value. */
    static JsonNode rename(JsonNode node, Map<String, String> names) {
        if (node.isTextual()) {
            return TextNode.valueOf(names.getOrDefault(node.asText(), node.asText()));
        }
        if (node.isArray()) {
            ArrayNode a = JSON.createArrayNode();
            node.forEach(c -> a.add(rename(c, names)));
            return a;
        }
        if (node.isObject()) {
            ObjectNode o = JSON.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> f = it.next();
                o.set(f.getKey(), rename(f.getValue(), names));
            }
            return o;
        }
        return node.deepCopy();
    }
}
