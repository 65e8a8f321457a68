package io.backpoint.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A backup definition ({@code <domainbackup>}).
 *
 * @param mode push or pull
 * @param incremental the checkpoint the whole backup is incremental from, or null for full
 * @param server the NBD server of a pull backup, or null
 * @param disks per-disk entries in document order (after alignment: listed disks, then the rest of the domain's)
 * @param privateData job-record data ({@code <privateData>}: TLS object aliases), or null; never in public XML
 */
public record BackupDef(BackupMode mode, String incremental, BackupServer server, List<BackupDiskDef> disks,
        XmlNode privateData) {

    public BackupDef {
        Objects.requireNonNull(mode, "mode");
        disks = List.copyOf(disks);
    }

    public BackupDef withDisks(List<BackupDiskDef> newDisks) {
        return new BackupDef(mode, incremental, server, newDisks, privateData);
    }

    public BackupDef withServer(BackupServer newServer) {
        return new BackupDef(mode, incremental, newServer, disks, privateData);
    }

    public BackupDef withIncremental(String newIncremental) {
        return new BackupDef(mode, newIncremental, server, disks, privateData);
    }

    public BackupDef withPrivateData(XmlNode newPrivateData) {
        return new BackupDef(mode, incremental, server, disks, newPrivateData);
    }

    /** A copy with one disk entry (matched by name) replaced. */
    public BackupDef withDisk(BackupDiskDef replacement) {
        List<BackupDiskDef> copy = new ArrayList<>(disks);
        for (int i = 0; i < copy.size(); i++) {
            if (copy.get(i).name().equals(replacement.name())) {
                copy.set(i, replacement);
                return withDisks(copy);
            }
        }
        throw new IllegalArgumentException("no disk entry named " + replacement.name());
    }

    /** The entry for a disk target, or null. */
    public BackupDiskDef disk(String name) {
        for (BackupDiskDef d : disks) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** The entries that are backed up, in order. */
    public List<BackupDiskDef> backedUpDisks() {
        return disks.stream().filter(BackupDiskDef::backup).toList();
    }
}
