package io.backpoint.vocab;

/** virDomainBlockJobType, with libvirt's numbers and virsh's label for each. */
public enum BlockJobType {
    UNKNOWN(0, "Unknown job"),
    PULL(1, "Block Pull"),
    COPY(2, "Block Copy"),
    COMMIT(3, "Block Commit"),
    ACTIVE_COMMIT(4, "Active Block Commit"),
    BACKUP(5, "Backup");

    private final int number;
    private final String label;

    BlockJobType(int number, String label) {
        this.number = number;
        this.label = label;
    }

    public int number() {
        return number;
    }

    /** As virsh names it, in its progress line ({@code Block Pull: [ 42 %]}) and with --raw. */
    public String label() {
        return label;
    }
}
