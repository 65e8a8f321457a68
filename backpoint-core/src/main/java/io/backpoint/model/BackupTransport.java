package io.backpoint.model;

/** How the NBD server of a pull backup listens. rdma exists in libvirt's enum but is refused for backups. */
public enum BackupTransport {
    TCP("tcp"),
    UNIX("unix"),
    /** A listening socket handed over beforehand as a named fd group (libvirt 11.3). */
    FD("fd");

    private final String xml;

    BackupTransport(String xml) {
        this.xml = xml;
    }

    public String xml() {
        return xml;
    }

    public static BackupTransport fromXml(String value) {
        for (BackupTransport t : values()) {
            if (t.xml.equals(value)) {
                return t;
            }
        }
        return null;
    }
}
