package io.backpoint.repo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON users' scripts see for a snapshot (`snapshots --json` elements, `backup --json`):
 * id, domain, time (ISO 8601), checkpoint, and per disk name, mode, reason (when full), size,
 * bytesRead, bytesStored. Chunk lists stay inside the repository.
 */
public final class SnapshotJson {
    private SnapshotJson() {
    }

    public static ObjectNode toJson(Snapshot snapshot) {
        ObjectNode node = ManifestCodec.JSON.createObjectNode();
        node.put("id", snapshot.id());
        node.put("domain", snapshot.domain());
        node.put("time", snapshot.time().toString());
        if (snapshot.checkpointName() != null) {
            node.put("checkpoint", snapshot.checkpointName());
        }
        ArrayNode disks = node.putArray("disks");
        for (DiskIndex disk : snapshot.disks()) {
            ObjectNode d = disks.addObject();
            d.put("name", disk.name());
            d.put("mode", disk.mode().json());
            if (disk.reason() != null) {
                d.put("reason", disk.reason());
            }
            d.put("size", disk.size());
            d.put("bytesRead", disk.bytesRead());
            d.put("bytesStored", disk.bytesStored());
        }
        return node;
    }

    public static ObjectNode object() {
        return ManifestCodec.JSON.createObjectNode();
    }

    public static ArrayNode array() {
        return ManifestCodec.JSON.createArrayNode();
    }

    /** Pretty-printed, as every repository command prints its one JSON document. */
    public static String print(com.fasterxml.jackson.databind.JsonNode node) {
        try {
            return ManifestCodec.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
