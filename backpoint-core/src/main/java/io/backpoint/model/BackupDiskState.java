package io.backpoint.model;

/** Progress of one disk of a running backup job; appears only in the internal (job record) XML. */
public enum BackupDiskState {
    /** Never printed; libvirt's empty string. */
    NONE(""),
    RUNNING("running"),
    COMPLETE("complete"),
    FAILED("failed"),
    CANCELLING("cancelling"),
    CANCELLED("cancelled");

    private final String xml;

    BackupDiskState(String xml) {
        this.xml = xml;
    }

    public String xml() {
        return xml;
    }

    /** The state for an XML value (the empty string is NONE, as in libvirt), or null. */
    public static BackupDiskState fromXml(String value) {
        for (BackupDiskState s : values()) {
            if (s.xml.equals(value)) {
                return s;
            }
        }
        return null;
    }
}
