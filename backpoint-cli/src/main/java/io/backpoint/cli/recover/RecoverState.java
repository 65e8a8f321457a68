package io.backpoint.cli.recover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a recovery is, recorded in its directory before anything is created, so a later call
 * (after a kill, or to resume the copy) knows which snapshot, which new domain and which overlays
 * it is about. The snapshot is recorded by id: {@code latest} must not move under a resume.
 */
record RecoverState(String repository, String snapshot, String sourceDomain, String name, List<Disk> disks) {
    static final String FILE = "recover.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A disk of the snapshot and its overlay. */
    record Disk(String name, long size, Path overlay) {}

    RecoverState {
        disks = List.copyOf(disks);
    }

    static Optional<RecoverState> load(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(file.toFile());
            List<Disk> disks = new ArrayList<>();
            for (JsonNode d : n.path("disks")) {
                disks.add(new Disk(d.path("name").asText(), d.path("size").asLong(), Path.of(d.path("overlay").asText())));
            }
            return Optional.of(new RecoverState(n.path("repository").asText(), n.path("snapshot").asText(),
                    n.path("sourceDomain").asText(), n.path("name").asText(), disks));
        } catch (IOException e) {
            throw BackpointException.of(ErrorCode.OPERATION_FAILED, "cannot read '%s': %s; it records a recovery,"
                    + " so fix or remove it by hand", file, e.getMessage());
        }
    }

    /** Records a new recovery; never replaces a record (another call's, racing this one). */
    void save(Path dir) {
        ObjectNode n = JSON.createObjectNode().put("repository", repository).put("snapshot", snapshot)
                .put("sourceDomain", sourceDomain).put("name", name);
        ArrayNode arr = n.putArray("disks");
        for (Disk d : disks) {
            arr.addObject().put("name", d.name()).put("size", d.size()).put("overlay", d.overlay().toString());
        }
        try {
            AtomicFiles.create(dir.resolve(FILE), n.toPrettyString() + "\n");
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID, "'%s' appeared while this call recorded its"
                    + " recovery: another recover call on the same --output-dir; run the command again to resume it",
                    dir.resolve(FILE));
        } catch (IOException e) {
            throw BackpointException.of(ErrorCode.WRITE_FAILED, "cannot write '%s': %s", dir.resolve(FILE), e.getMessage());
        }
    }
}
