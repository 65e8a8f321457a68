package io.backpoint.qemu.driver;

import com.fasterxml.jackson.databind.JsonNode;
import io.backpoint.vocab.DomainState;

/**
 * QEMU's run state ({@code query-status}) as libvirt reports it: a VM whose vCPUs are stopped is
 * paused, with the reason virsh's {@code domstate --reason} prints.
 */
final class RunStates {
    record StateAndReason(DomainState state, String reason) {}

    private RunStates() {}

    /** @param status what {@code query-status} returned: {@code {status, running}} */
    static StateAndReason of(JsonNode status) {
        if (status.path("running").asBoolean()) {
            // Started, or resumed after a pause: QEMU does not say which, so neither do we.
            return new StateAndReason(DomainState.RUNNING, "unknown");
        }
        String reason = switch (status.path("status").asText()) {
            case "paused" -> "user";
            case "io-error" -> "I/O error";
            case "watchdog" -> "watchdog";
            case "inmigrate", "postmigrate", "finish-migrate" -> "migrating";
            case "save-vm" -> "saving";
            case "restore-vm" -> "starting up";
            case "shutdown" -> "shutting down";
            case "guest-panicked" -> "crashed";
            default -> "unknown";
        };
        return new StateAndReason(DomainState.PAUSED, reason);
    }
}
