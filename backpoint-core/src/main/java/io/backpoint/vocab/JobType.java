package io.backpoint.vocab;

/** virDomainJobType, with libvirt's numbers and virsh's words. */
public enum JobType {
    NONE(0, "None"),
    BOUNDED(1, "Bounded"),
    UNBOUNDED(2, "Unbounded"),
    COMPLETED(3, "Completed"),
    FAILED(4, "Failed"),
    CANCELLED(5, "Cancelled");

    private final int number;
    private final String text;

    JobType(int number, String text) {
        this.number = number;
        this.text = text;
    }

    public int number() {
        return number;
    }

    public String text() {
        return text;
    }
}
