package io.backpoint.cli;

import io.backpoint.api.Domain;
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
        String state = dom.state().text();
        shell.out().println(args.has("reason") ? state + " (" + dom.stateReason() + ")" : state);
        return true;
    }
}
