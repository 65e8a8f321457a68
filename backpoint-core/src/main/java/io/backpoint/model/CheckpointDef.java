package io.backpoint.model;

import java.util.List;

/**
 * A checkpoint definition ({@code <domaincheckpoint>}).
 *
 * @param name checkpoint name, never null after parsing
 * @param description free text, or null
 * @param parentName the parent checkpoint's name, or null for a root
 * @param creationTime seconds since the epoch; 0 when unset
 * @param disks per-disk entries in document order (after alignment: domain disk order)
 * @param domain the domain definition the checkpoint was taken of, or null
 */
public record CheckpointDef(
        String name,
        String description,
        String parentName,
        long creationTime,
        List<CheckpointDiskDef> disks,
        DomainDef domain) {

    public CheckpointDef {
        disks = List.copyOf(disks);
    }

    public CheckpointDef withParentName(String newParent) {
        return new CheckpointDef(name, description, newParent, creationTime, disks, domain);
    }

    public CheckpointDef withDisks(List<CheckpointDiskDef> newDisks) {
        return new CheckpointDef(name, description, parentName, creationTime, newDisks, domain);
    }

    public CheckpointDef withDomain(DomainDef newDomain) {
        return new CheckpointDef(name, description, parentName, creationTime, disks, newDomain);
    }

    /** The disk entry for a target, or null. */
    public CheckpointDiskDef disk(String target) {
        for (CheckpointDiskDef d : disks) {
            if (target.equals(d.name())) {
                return d;
            }
        }
        return null;
    }
}
