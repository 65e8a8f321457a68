package io.backpoint.repo.backup;

import java.util.List;
import java.util.Objects;

/**
 * What to back up.
 *
 * @param domain the domain's name
 * @param disks the disks to take (target names); empty for every writable qcow2 disk
 * @param full read every disk whole even where an incremental is possible
 */
public record BackupOptions(String domain, List<String> disks, boolean full) {
    public BackupOptions {
        Objects.requireNonNull(domain, "domain");
        disks = List.copyOf(disks);
    }
}
