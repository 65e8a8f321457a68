package io.backpoint.repo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** JSON of the repository's documents: the config and snapshot manifests, each with a format version. */
final class ManifestCodec {
    static final int MANIFEST_FORMAT = 1;
    static final ObjectMapper JSON = new ObjectMapper();

    private ManifestCodec() {
    }

    static byte[] formatConfig(RepositoryConfig config) {
        ObjectNode root = JSON.createObjectNode();
        root.put("formatVersion", config.formatVersion());
        root.put("id", config.id());
        root.put("chunkSize", config.chunkSize());
        root.put("compression", config.compression().json());
        return bytes(root);
    }

    static RepositoryConfig parseConfig(byte[] content) throws IOException {
        JsonNode root = JSON.readTree(content);
        int version = required(root, "formatVersion").asInt();
        if (version != RepositoryConfig.FORMAT_VERSION) {
            throw new IOException("repository format version " + version + " is not supported (this Backpoint reads "
                    + RepositoryConfig.FORMAT_VERSION + ")");
        }
        return new RepositoryConfig(version, required(root, "id").asText(), required(root, "chunkSize").asInt(),
                Compression.fromJson(required(root, "compression").asText()));
    }

    static byte[] formatSnapshot(Snapshot snapshot) {
        ObjectNode root = JSON.createObjectNode();
        root.put("formatVersion", MANIFEST_FORMAT);
        root.put("id", snapshot.id());
        root.put("domain", snapshot.domain());
        root.put("time", snapshot.time().toString());
        root.put("domainXml", snapshot.domainXml());
        if (snapshot.checkpointName() != null) {
            ObjectNode checkpoint = root.putObject("checkpoint");
            checkpoint.put("name", snapshot.checkpointName());
            checkpoint.put("xml", snapshot.checkpointXml());
        }
        ArrayNode disks = root.putArray("disks");
        for (DiskIndex disk : snapshot.disks()) {
            ObjectNode node = disks.addObject();
            node.put("name", disk.name());
            node.put("size", disk.size());
            node.put("chunkSize", disk.chunkSize());
            node.put("mode", disk.mode().json());
            if (disk.reason() != null) {
                node.put("reason", disk.reason());
            }
            node.put("bytesRead", disk.bytesRead());
            node.put("bytesStored", disk.bytesStored());
            ArrayNode chunks = node.putArray("chunks");
            disk.chunks().forEach(chunks::add); // null (zero chunk) becomes JSON null
        }
        return bytes(root);
    }

    static Snapshot parseSnapshot(byte[] content) throws IOException {
        JsonNode root = JSON.readTree(content);
        if (root == null || !root.isObject()) {
            throw new IOException("not a JSON object");
        }
        int version = required(root, "formatVersion").asInt();
        if (version != MANIFEST_FORMAT) {
            throw new IOException("manifest format version " + version + " is not supported");
        }
        List<DiskIndex> disks = new ArrayList<>();
        for (JsonNode node : required(root, "disks")) {
            List<String> chunks = new ArrayList<>();
            for (JsonNode chunk : required(node, "chunks")) {
                if (chunk.isNull()) {
                    chunks.add(null);
                } else {
                    Layout.chunk(chunk.asText()); // checks the id's shape
                    chunks.add(chunk.asText());
                }
            }
            JsonNode reason = node.get("reason");
            String name = required(node, "name").asText();
            if (!DiskIndex.plainName(name)) {
                // Restore and recover make file names of it: a manifest from a shared bucket is
                // checked as the writer checked it.
                throw new IOException("disk name '" + name + "' is not a plain name");
            }
            disks.add(new DiskIndex(name, required(node, "size").asLong(),
                    required(node, "chunkSize").asInt(), DiskMode.fromJson(required(node, "mode").asText()),
                    reason == null || reason.isNull() ? null : reason.asText(),
                    required(node, "bytesRead").asLong(), required(node, "bytesStored").asLong(), chunks));
        }
        JsonNode checkpoint = root.get("checkpoint");
        JsonNode domainXml = root.get("domainXml");
        return new Snapshot(required(root, "id").asText(), required(root, "domain").asText(),
                Instant.parse(required(root, "time").asText()),
                domainXml == null || domainXml.isNull() ? null : domainXml.asText(),
                checkpoint == null ? null : required(checkpoint, "name").asText(),
                checkpoint == null || checkpoint.get("xml") == null ? null : checkpoint.get("xml").asText(), disks);
    }

    private static JsonNode required(JsonNode node, String field) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IOException("field '" + field + "' is missing");
        }
        return value;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
