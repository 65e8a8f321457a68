package io.backpoint.repo;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One committed backup of a domain.
 *
 * @param checkpointName the checkpoint the backup created (null when none), so the next backup
 *     can be incremental from it
 * @param checkpointXml that checkpoint's XML, to redefine it when the domain lost its metadata
 */
public record Snapshot(String id, String domain, Instant time, String domainXml,
        String checkpointName, String checkpointXml, List<DiskIndex> disks) {

    public Snapshot {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(time, "time");
        disks = List.copyOf(disks);
    }

    public Optional<DiskIndex> disk(String name) {
        return disks.stream().filter(d -> d.name().equals(name)).findFirst();
    }
}
