package io.backpoint.model;

/** How a backup moves data ({@code <domainbackup mode=>}): QEMU writes it, or a client reads it over NBD. */
public enum BackupMode {
    PUSH("push"),
    PULL("pull");

    private final String xml;

    BackupMode(String xml) {
        this.xml = xml;
    }

    public String xml() {
        return xml;
    }

    /** The mode for an XML value, or null; libvirt's "default" spelling is not a mode a document may name. */
    public static BackupMode fromXml(String value) {
        for (BackupMode m : values()) {
            if (m.xml.equals(value)) {
                return m;
            }
        }
        return null;
    }
}
