package io.backpoint.cli;

import io.backpoint.api.Domain;
import io.backpoint.api.DomainState;
import java.util.List;

/** domstate: the domain's state as virsh spells it. */
final class DomStateCommand implements Command {
    @Override
    public String name() {
        return "domstate";
    }

    @Override
    public String summary() {
        return "domain state";
    }

    @Override
    public String description() {
        return "Returns state about a domain.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.data("domain", "domain name, id or uuid"),
                OptionDef.bool("reason", "also print reason for the state"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        Domain dom = shell.domain(args.get("domain"));
        DomainState state = dom.state();
        shell.out().println(args.has("reason") ? state.text() + " (" + reason(state, dom.stateReason()) + ")" : state.text());
        return true;
    }

    /** virsh's words for libvirt's state reasons (Backpoint's own drivers report 0, unknown). */
    static String reason(DomainState state, int reason) {
        List<String> words = switch (state) {
            case RUNNING -> List.of("unknown", "booted", "migrated", "restored", "from snapshot", "unpaused",
                    "migration canceled", "save canceled", "event wakeup", "crashed", "post-copy", "post-copy failed");
            case PAUSED -> List.of("unknown", "user", "migrating", "saving", "dumping", "I/O error", "watchdog",
                    "from snapshot", "shutting down", "creating snapshot", "starting up", "post-copy", "post-copy failed",
                    "api error");
            case SHUTOFF -> List.of("unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed",
                    "from snapshot", "daemon");
            case SHUTDOWN -> List.of("unknown", "user");
            case CRASHED -> List.of("unknown", "panicked");
            default -> List.of("unknown");
        };
        return reason >= 0 && reason < words.size() ? words.get(reason) : "unknown";
    }
}
