package io.backpoint.model;

import java.util.List;
import java.util.Objects;

/**
 * A domain definition: the slice Backpoint interprets, plus the whole element as read, so that
 * everything else is written back unchanged.
 *
 * @param type the hypervisor type: kvm, qemu, test
 * @param name the domain name
 * @param uuid the domain UUID in canonical form, or null
 * @param disks the disks, in document order
 * @param element the complete {@code <domain>} element as read, with libvirt's normalizations
 *     applied (canonical uuid, disk type and device attributes defaulted and first, layout
 *     whitespace dropped); this is what is formatted, so a caller that wants different output
 *     changes the element, not only the slice fields
 */
public record DomainDef(String type, String name, String uuid, List<DomainDiskDef> disks, XmlNode element) {
    public DomainDef {
        Objects.requireNonNull(element, "element");
        disks = List.copyOf(disks);
    }

    /** The disk with this target, or null. */
    public DomainDiskDef diskByTarget(String target) {
        for (DomainDiskDef d : disks) {
            if (target.equals(d.targetDev())) {
                return d;
            }
        }
        return null;
    }

    /** The disk with this target or source path (libvirt's virDomainDiskByName), or null. */
    public DomainDiskDef diskByName(String nameOrPath) {
        DomainDiskDef byTarget = diskByTarget(nameOrPath);
        if (byTarget != null) {
            return byTarget;
        }
        for (DomainDiskDef d : disks) {
            if (nameOrPath.equals(d.source())) {
                return d;
            }
        }
        return null;
    }
}
