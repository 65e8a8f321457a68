package io.backpoint.qemu.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.qemu.testing.FakeQmpPeer;
import io.backpoint.qemu.testing.FakeQmpPeer.Answer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Just enough of QEMU's block layer to answer what a backup's begin, reconcile and abort send
 * (nodes, bitmaps, jobs, the NBD server and its exports), so that a {@link FakeQmpPeer} can
 * serve those calls and fail or hang up at any one of them. It outlives the peers (one per
 * call, as each call opens its own session), and {@link #leftovers} says what a backup left
 * behind. Jobs never progress: a test ends them with {@link #concludeJobs}.
 */
final class BlockModel {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, ObjectNode> nodes = new LinkedHashMap<>();
    private final Map<String, ObjectNode> jobs = new LinkedHashMap<>();
    private final Set<String> exports = new LinkedHashSet<>();
    private final String initialNodes;
    private Path nbdSocket;
    private boolean nbd;

    /** A domain whose disks are qcow2 images of {@code size} bytes with these targets. */
    BlockModel(Path imageDir, long size, String... targets) {
        for (String t : targets) {
            String image = imageDir.resolve(t + ".qcow2").toString();
            ObjectNode format = node("bp-" + t + "-format", "qcow2", image);
            format.putObject("image").put("virtual-size", size);
            format.putArray("dirty-bitmaps");
            node("bp-" + t + "-storage", "file", image);
        }
        initialNodes = nodesJson().toString();
    }

    private ObjectNode node(String name, String driver, String file) {
        ObjectNode n = JSON.createObjectNode().put("node-name", name).put("drv", driver).put("file", file);
        nodes.put(name, n);
        return n;
    }

    /** The peer's responder: each command's answer, with the model updated. */
    Answer answer(JsonNode req) {
        String command = req.path("execute").asText();
        JsonNode args = req.path("arguments");
        return (peer, r) -> {
            String error = apply(command, args);
            if (error != null) {
                FakeQmpPeer.fails("GenericError", error).answer(peer, r);
            } else {
                peer.writeLine(FakeQmpPeer.returnLine(r, command.equals("query-named-block-nodes") ? nodesJson().toString()
                        : command.equals("query-jobs") ? jobsJson().toString() : "{}"));
            }
        };
    }

    /** Carries a command out, as QEMU would before answering (the answer is left to the caller). */
    void apply(JsonNode req) throws IOException {
        apply(req.path("execute").asText(), req.path("arguments"));
    }

    /** Applies a command; returns QEMU's error message, or null. */
    private synchronized String apply(String command, JsonNode args) throws IOException {
        switch (command) {
            case "qmp_capabilities", "query-named-block-nodes", "query-jobs" -> {
                return null;
            }
            case "blockdev-add" -> {
                String name = args.path("node-name").asText();
                if (nodes.containsKey(name)) {
                    return "Duplicate nodes with node-name='" + name + "'";
                }
                node(name, args.path("driver").asText(), args.path("filename").asText(args.path("file").asText()));
                return null;
            }
            case "blockdev-del" -> {
                return nodes.remove(args.path("node-name").asText()) == null
                        ? "Failed to find node with node-name='" + args.path("node-name").asText() + "'" : null;
            }
            case "blockdev-create" -> {
                return addJob(args.path("job-id").asText(), "create", "concluded");
            }
            case "job-dismiss" -> {
                ObjectNode j = jobs.get(args.path("id").asText());
                if (j == null || !j.path("status").asText().equals("concluded")) {
                    return "Job '" + args.path("id").asText() + "' in state '"
                            + (j == null ? "none" : j.path("status").asText()) + "' cannot accept command verb 'dismiss'";
                }
                jobs.remove(args.path("id").asText());
                return null;
            }
            case "block-job-cancel" -> {
                ObjectNode j = jobs.get(args.path("device").asText());
                if (j == null || j.path("status").asText().equals("concluded")) {
                    return "Block job '" + args.path("device").asText() + "' not found";
                }
                j.put("status", "concluded").put("error", "Operation canceled");
                return null;
            }
            case "transaction" -> {
                for (JsonNode a : args.path("actions")) {
                    String e = apply(a.path("type").asText(), a.path("data"));
                    if (e != null) {
                        return e;
                    }
                }
                return null;
            }
            case "blockdev-backup" -> {
                return addJob(args.path("job-id").asText(), "backup", "running");
            }
            case "block-dirty-bitmap-add" -> {
                ((ArrayNode) nodes.get(args.path("node").asText()).withArray("dirty-bitmaps")).addObject()
                        .put("name", args.path("name").asText()).put("recording", true)
                        .put("persistent", args.path("persistent").asBoolean()).put("busy", false)
                        .put("granularity", 65536).put("count", 0);
                return null;
            }
            case "block-dirty-bitmap-remove" -> {
                ArrayNode bitmaps = (ArrayNode) nodes.get(args.path("node").asText()).withArray("dirty-bitmaps");
                for (int i = 0; i < bitmaps.size(); i++) {
                    if (bitmaps.get(i).path("name").asText().equals(args.path("name").asText())) {
                        bitmaps.remove(i);
                        return null;
                    }
                }
                return "Dirty bitmap '" + args.path("name").asText() + "' not found";
            }
            case "nbd-server-start" -> {
                if (nbd) {
                    return "NBD server already running";
                }
                nbd = true;
                JsonNode addr = args.path("addr");
                if (addr.path("type").asText().equals("unix")) {
                    // QEMU makes the socket file; removing it is the backup's job.
                    nbdSocket = Path.of(addr.path("data").path("path").asText());
                    Files.createFile(nbdSocket);
                }
                return null;
            }
            case "nbd-server-stop" -> {
                if (!nbd) {
                    return "NBD server not running";
                }
                nbd = false;
                exports.clear();
                return null;
            }
            case "block-export-add" -> {
                if (!nbd) {
                    return "NBD server not running";
                }
                exports.add(args.path("id").asText());
                return null;
            }
            default -> {
                // Merges and the like change nothing a test looks at.
                return null;
            }
        }
    }

    private String addJob(String id, String type, String status) {
        if (jobs.containsKey(id)) {
            return "Job ID '" + id + "' already in use";
        }
        jobs.put(id, JSON.createObjectNode().put("id", id).put("type", type).put("status", status)
                .put("current-progress", 0).put("total-progress", 1));
        return null;
    }

    /** Every running job concludes, as a pull job never does by itself and a push job does when done. */
    synchronized void concludeJobs() {
        for (ObjectNode j : jobs.values()) {
            if (!j.path("status").asText().equals("concluded")) {
                j.put("status", "concluded").put("current-progress", 1);
            }
        }
    }

    synchronized List<String> jobIds() {
        return List.copyOf(jobs.keySet());
    }

    private synchronized ArrayNode nodesJson() {
        ArrayNode a = JSON.createArrayNode();
        nodes.values().forEach(n -> a.add(n.deepCopy()));
        return a;
    }

    private synchronized ArrayNode jobsJson() {
        ArrayNode a = JSON.createArrayNode();
        jobs.values().forEach(j -> a.add(j.deepCopy()));
        return a;
    }

    /** What differs from the domain as it was before any backup: nodes, bitmaps, jobs, NBD server, exports. */
    synchronized List<String> leftovers() {
        List<String> out = new java.util.ArrayList<>();
        if (!nodesJson().toString().equals(initialNodes)) {
            out.add("nodes " + nodesJson());
        }
        if (!jobs.isEmpty()) {
            out.add("jobs " + jobs.keySet());
        }
        if (nbd) {
            out.add("NBD server running");
        }
        if (!exports.isEmpty()) {
            out.add("exports " + exports);
        }
        return out;
    }

    /** The NBD server's socket file, where the model made one. */
    synchronized Path nbdSocket() {
        return nbdSocket;
    }
}
