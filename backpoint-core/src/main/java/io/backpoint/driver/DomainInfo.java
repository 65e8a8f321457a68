package io.backpoint.driver;

import io.backpoint.api.DomainState;

/**
 * A domain's identity and state.
 *
 * @param name the domain name
 * @param uuid canonical UUID string
 * @param state current state
 * @param id the runtime id while active, -1 otherwise
 * @param persistent whether the domain has a stored definition
 * @param reason why it is in that state, as virsh's {@code domstate --reason} words it ("user" for
 *     a paused domain), "unknown" when the driver cannot tell
 */
public record DomainInfo(String name, String uuid, DomainState state, int id, boolean persistent, String reason) {
    public DomainInfo(String name, String uuid, DomainState state, int id, boolean persistent) {
        this(name, uuid, state, id, persistent, "unknown");
    }

    public boolean active() {
        return state.active();
    }
}
