package io.backpoint.xml;

import io.backpoint.model.BackupDef;
import io.backpoint.model.BackupDiskDef;
import io.backpoint.model.DiskFormat;
import io.backpoint.model.DomainDef;
import io.backpoint.model.DomainDiskDef;
import io.backpoint.model.XmlNode;
import java.util.ArrayList;
import java.util.List;

/** Fake domains for backup tests, built directly from records (no domain XML needed). */
final class BackupFakeDomain {
    static final String SUFFIX = "SUFFIX";

    private BackupFakeDomain() {}

    /** A writable qcow2 file disk at /fake/NAME.qcow2. */
    static DomainDiskDef fileDisk(String target) {
        return new DomainDiskDef("file", "disk", DiskFormat.QCOW2, "/fake/" + target + ".qcow2", target, "virtio", false, false);
    }

    static DomainDef of(List<DomainDiskDef> disks) {
        return new DomainDef("kvm", "fake", null, disks, new XmlNode("domain", List.of(), List.of(), null));
    }

    static DomainDef ofTargets(List<String> targets) {
        List<DomainDiskDef> disks = new ArrayList<>();
        for (String t : targets) {
            disks.add(fileDisk(t));
        }
        return of(disks);
    }

    /**
     * libvirt's test domain for a backup document: one file qcow2 disk per listed disk, in order,
     * then {@code vdextradisk}.
     */
    static DomainDef forBackup(BackupDef def) {
        List<String> targets = new ArrayList<>();
        for (BackupDiskDef d : def.disks()) {
            targets.add(d.name());
        }
        targets.add("vdextradisk");
        return ofTargets(targets);
    }
}
