package io.backpoint.vocab;

/** virDomainBlockJobType, with libvirt's numbers and virsh's two spellings of each. */
public enum BlockJobType {
    UNKNOWN(0, "unknown", "Unknown job"),
    PULL(1, "pull", "Block Pull"),
    COPY(2, "copy", "Block Copy"),
    COMMIT(3, "commit", "Block Commit"),
    ACTIVE_COMMIT(4, "active-commit", "Active Block Commit"),
    BACKUP(5, "backup", "Backup");

    private final int number;
    private final String raw;
    private final String label;

    BlockJobType(int number, String raw, String label) {
        this.number = number;
        this.raw = raw;
        this.label = label;
    }

    public int number() {
        return number;
    }

    /** As {@code virsh blockjob --raw} prints it ({@code type=pull}). */
    public String raw() {
        return raw;
    }

    /** As virsh's progress line names it ({@code Block Pull: [ 42 %]}). */
    public String label() {
        return label;
    }
}
