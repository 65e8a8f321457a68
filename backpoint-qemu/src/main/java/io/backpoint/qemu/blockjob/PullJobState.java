package io.backpoint.qemu.blockjob;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/** A disk's pull job as {@code query-block-jobs} reports it. */
record PullJobState(String status, long offset, long length, long speed, String error) {
    boolean concluded() {
        return status.equals("concluded");
    }

    /** The job of this disk in a {@code query-block-jobs} reply, if QEMU has one. */
    static Optional<PullJobState> find(JsonNode jobs, String target) {
        String id = PullPlanner.jobId(target);
        for (JsonNode j : jobs) {
            if (id.equals(j.path("device").asText())) {
                return Optional.of(new PullJobState(j.path("status").asText(), j.path("offset").asLong(),
                        j.path("len").asLong(), j.path("speed").asLong(),
                        j.hasNonNull("error") ? j.get("error").asText() : null));
            }
        }
        return Optional.empty();
    }
}
