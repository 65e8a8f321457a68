package io.backpoint.vocab;

/** virDomainState, with libvirt's numbers and virsh's spelling. */
public enum DomainState {
    NOSTATE(0, "no state"),
    RUNNING(1, "running"),
    BLOCKED(2, "idle"),
    PAUSED(3, "paused"),
    SHUTDOWN(4, "in shutdown"),
    SHUTOFF(5, "shut off"),
    CRASHED(6, "crashed"),
    PMSUSPENDED(7, "pmsuspended");

    private final int number;
    private final String text;

    DomainState(int number, String text) {
        this.number = number;
        this.text = text;
    }

    public int number() {
        return number;
    }

    /** How virsh prints the state. */
    public String text() {
        return text;
    }

    /** Whether the domain has a running QEMU (libvirt's "active"). */
    public boolean active() {
        return this != SHUTOFF && this != NOSTATE;
    }
}
