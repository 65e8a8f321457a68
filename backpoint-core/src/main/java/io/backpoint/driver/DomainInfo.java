package io.backpoint.driver;

import io.backpoint.vocab.DomainState;

/**
 * A domain's identity and state.
 *
 * @param name the domain name
 * @param uuid canonical UUID string
 * @param state current state
 * @param id the runtime id while active, -1 otherwise
 * @param persistent whether the domain has a stored definition
 */
public record DomainInfo(String name, String uuid, DomainState state, int id, boolean persistent) {
    public boolean active() {
        return state.active();
    }
}
