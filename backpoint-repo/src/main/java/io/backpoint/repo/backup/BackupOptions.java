package io.backpoint.repo.backup;

import java.util.List;
import java.util.Objects;

/**
 * What to back up.
 *
 * @param domain the domain's name
 * @param disks the disks to take (target names); empty for every writable qcow2 disk
 * @param full read every disk whole even where an incremental is possible
 * @param quiesce freeze the guest's file systems through its agent while the backup begins
 */
public record BackupOptions(String domain, List<String> disks, boolean full, boolean quiesce) {
    public BackupOptions {
        Objects.requireNonNull(domain, "domain");
        disks = List.copyOf(disks);
    }

    /** Without quiesce. */
    public BackupOptions(String domain, List<String> disks, boolean full) {
        this(domain, disks, full, false);
    }
}
