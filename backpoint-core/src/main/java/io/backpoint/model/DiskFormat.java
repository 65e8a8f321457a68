package io.backpoint.model;

/**
 * An image format named by a {@code <driver type=>}: of a domain disk, or of a backup's target or
 * scratch: libvirt's storage file formats plus {@code vhdx} and {@code luks2}. A backup store
 * accepts only libvirt's storage file formats, checked where a backup is read. libvirt's enum
 * starts with a {@code none} that no document may name (its parser refuses it as an unknown
 * format), so there is none here; a domain disk's Xen-era {@code aio} is read as {@link #RAW}
 * where domain XML is read.
 */
public enum DiskFormat {
    RAW("raw"),
    DIR("dir"),
    BOCHS("bochs"),
    CLOOP("cloop"),
    DMG("dmg"),
    ISO("iso"),
    VPC("vpc"),
    VDI("vdi"),
    FAT("fat"),
    VHD("vhd"),
    VHDX("vhdx"),
    PLOOP("ploop"),
    COW("cow"),
    QCOW("qcow"),
    QCOW2("qcow2"),
    QED("qed"),
    VMDK("vmdk"),
    LUKS("luks"),
    LUKS2("luks2");

    private final String xml;

    DiskFormat(String xml) {
        this.xml = xml;
    }

    /** The spelling in XML, which is also QEMU's and qemu-img's name for the format. */
    public String xml() {
        return xml;
    }

    /** The format with this spelling, or null for one no {@code <driver type=>} may name. */
    public static DiskFormat fromXml(String value) {
        for (DiskFormat f : values()) {
            if (f.xml.equals(value)) {
                return f;
            }
        }
        return null;
    }
}
