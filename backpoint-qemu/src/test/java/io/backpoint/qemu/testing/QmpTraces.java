package io.backpoint.qemu.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.backpoint.qemu.block.BlockNodeNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The QMP traces of libvirt 9.0 talking to QEMU 7.2 in ../shared/reference/qmp-traces (one JSON
 * object a line: {@code dir} send or reply, {@code msg}), so planner output can be compared with
 * what libvirt sent once libvirt's node names are translated to ours.
 */
public final class QmpTraces {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DISK_FILE = Pattern.compile("-(vd[a-z]+)\\.(qcow2|raw)$");

    private QmpTraces() {}

    /** One recorded message: {@code dir} is "send" or "reply". */
    public record Entry(String dir, JsonNode msg) {}

    /** The traces directory: under the system property backpoint.shared, else ../shared upwards. */
    public static Optional<Path> dir() {
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

    /** Every message of the trace {@code name}.jsonl, in order. */
    public static List<Entry> read(Path dir, String name) throws IOException {
        List<Entry> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(name + ".jsonl"))) {
            if (!line.isBlank()) {
                JsonNode o = JSON.readTree(line);
                out.add(new Entry(o.path("dir").asText(), o.get("msg")));
            }
        }
        return out;
    }

    private static boolean isSend(Entry e, String command) {
        return e.dir().equals("send") && command.equals(e.msg().path("execute").asText());
    }

    /** Arguments of every sent command with this name, in order. */
    public static List<JsonNode> sent(List<Entry> trace, String command) {
        List<JsonNode> out = new ArrayList<>();
        for (Entry e : trace) {
            if (isSend(e, command)) {
                out.add(e.msg().get("arguments"));
            }
        }
        return out;
    }

    /** Every sent command with one of these names, as {@code {execute, arguments}} without the id, in order. */
    public static List<ObjectNode> sentCommands(List<Entry> trace, Collection<String> commands) {
        List<ObjectNode> out = new ArrayList<>();
        for (Entry e : trace) {
            if (e.dir().equals("send") && commands.contains(e.msg().path("execute").asText())) {
                ObjectNode msg = ((ObjectNode) e.msg()).deepCopy();
                msg.remove("id");
                out.add(msg);
            }
        }
        return out;
    }

    /** The return values of every query-named-block-nodes, in order. */
    public static List<JsonNode> namedBlockNodes(List<Entry> trace) {
        List<JsonNode> out = new ArrayList<>();
        Set<String> queryIds = new HashSet<>();
        for (Entry e : trace) {
            if (isSend(e, "query-named-block-nodes")) {
                queryIds.add(e.msg().get("id").asText());
            } else if (e.dir().equals("reply") && queryIds.contains(e.msg().path("id").asText())) {
                out.add(e.msg().get("return"));
            }
        }
        return out;
    }

    /** The return value of the first query-named-block-nodes; a trace without one is an error. */
    public static JsonNode firstNamedBlockNodes(List<Entry> trace, String name) throws IOException {
        List<JsonNode> all = namedBlockNodes(trace);
        if (all.isEmpty()) {
            throw new IOException("no query-named-block-nodes reply in " + name);
        }
        return all.get(0);
    }

    /** libvirt node name (libvirt-2-format) -> Backpoint node name (bp-vda-format), from the files the nodes open. */
    public static Map<String, String> nodeNames(List<JsonNode> namedBlockNodes) {
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
    public static JsonNode rename(JsonNode node, Map<String, String> names) {
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
