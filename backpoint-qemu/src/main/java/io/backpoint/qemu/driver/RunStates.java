package io.backpoint.qemu.driver;

import io.backpoint.api.DomainState;
import io.backpoint.qemu.qmp.VmStatus;

/**
 * QEMU's run state ({@code query-status}) as libvirt reports it: a VM whose vCPUs are stopped is
 * paused, with the reason virsh's {@code domstate --reason} prints.
 */
final class RunStates {
    record StateAndReason(DomainState state, String reason) {}

    private RunStates() {}

    static StateAndReason of(VmStatus status) {
        if (status.running()) {
            // Started, or resumed after a pause: QEMU does not say which, so neither do we.
            return new StateAndReason(DomainState.RUNNING, "unknown");
        }
        String reason = switch (status.status()) {
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
