package io.backpoint.qemu.block;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The QMP traces of libvirt 9.0 in ../shared/reference/qmp-traces, with libvirt's numbered node
 * names (libvirt-2-format) translated to ours (bp-vda-format) through the file each node opens,
 * so planner output can be compared with what libvirt sent.
 */
final class LibvirtTraces {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DISK_FILE = Pattern.compile("-(vd[a-z]+)\\.(qcow2|raw)$");

    private LibvirtTraces() {}

    static Optional<Path> dir() {
        String prop = System.getProperty("backpoint.shared");
        List<Path> candidates = new ArrayList<>();
        if (prop != null) {
            candidates.add(Path.of(prop));
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            candidates.add(d.resolve("shared"));
        }
        return candidates.stream().map(p -> p.resolve("reference/qmp-traces"))
                .filter(Files::isDirectory).findFirst();
    }

    /** One recorded message. */
    record Entry(String dir, JsonNode msg) {}

    static List<Entry> read(Path dir, String name) throws IOException {
        List<Entry> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(name + ".jsonl"))) {
            if (!line.isBlank()) {
                JsonNode o = JSON.readTree(line);
                out.add(new Entry(o.get("dir").asText(), o.get("msg")));
            }
        }
        return out;
    }

    /** Arguments of every sent command with this name, in order. */
    static List<JsonNode> sent(List<Entry> trace, String command) {
        List<JsonNode> out = new ArrayList<>();
        for (Entry e : trace) {
            if (e.dir().equals("send") && command.equals(e.msg().path("execute").asText())) {
                out.add(e.msg().get("arguments"));
            }
        }
        return out;
    }

    /** The return values of every query-named-block-nodes, in order. */
    static List<JsonNode> namedBlockNodes(List<Entry> trace) {
        List<JsonNode> out = new ArrayList<>();
        Map<String, Boolean> queryIds = new HashMap<>();
        for (Entry e : trace) {
            if (e.dir().equals("send") && "query-named-block-nodes".equals(e.msg().path("execute").asText())) {
                queryIds.put(e.msg().get("id").asText(), true);
            } else if (e.dir().equals("reply") && queryIds.containsKey(e.msg().path("id").asText())) {
                out.add(e.msg().get("return"));
            }
        }
        return out;
    }

    /** libvirt node name -> Backpoint node name, from the files the nodes open. */
    static Map<String, String> nodeNames(List<JsonNode> namedBlockNodes) {
        Map<String, String> map = new HashMap<>();
        for (JsonNode nodes : namedBlockNodes) {
            for (JsonNode n : nodes) {
                String name = n.path("node-name").asText();
                Matcher m = DISK_FILE.matcher(n.path("file").asText());
                if (!m.find()) {
                    continue;
                }
                String ours = name.endsWith("-storage") ? BlockNodeNames.storage(m.group(1))
                        : BlockNodeNames.format(m.group(1));
                String prev = map.put(name, ours);
                if (prev != null && !prev.equals(ours)) {
                    throw new IllegalStateException("node " + name + " maps to both " + prev + " and " + ours);
                }
            }
        }
        return map;
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
