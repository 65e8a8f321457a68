package io.backpoint.model;

/** A disk's {@code backupmode}: DEFAULT until alignment resolves it to FULL or INCREMENTAL. */
public enum BackupDiskMode {
    /** Not given; printed nowhere. libvirt spells it as the empty string, and so do we. */
    DEFAULT(""),
    FULL("full"),
    INCREMENTAL("incremental");

    private final String xml;

    BackupDiskMode(String xml) {
        this.xml = xml;
    }

    public String xml() {
        return xml;
    }

    /** The mode for an XML value (the empty string is DEFAULT, as in libvirt), or null. */
    public static BackupDiskMode fromXml(String value) {
        for (BackupDiskMode m : values()) {
            if (m.xml.equals(value)) {
                return m;
            }
        }
        return null;
    }
}
