package io.backpoint.xml;

/** Flags for {@link BackupXml#parse}; libvirt's {@code VIR_DOMAIN_BACKUP_PARSE_*}. */
public enum BackupParseFlag {
    /**
     * The document is a job record Backpoint wrote itself (libvirt's status XML): it is not
     * validated, and per-disk {@code state} (required), {@code index} and {@code privateData} are read.
     */
    INTERNAL
}
