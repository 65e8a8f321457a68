package io.backpoint.cli;

import io.backpoint.api.Domain;
import java.util.List;

/** shutdown: gracefully shutdown a domain. */
final class ShutdownCommand implements Command {
    @Override
    public String name() {
        return "shutdown";
    }

    @Override
    public String summary() {
        return "gracefully shutdown a domain";
    }

    @Override
    public String description() {
        return "Run shutdown in the target domain.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(OptionDef.data("domain", "domain name, id or uuid"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        Domain dom = shell.domain(args.get("domain"));
        dom.shutdown();
        shell.out().println("Domain '" + dom.name() + "' is being shutdown");
        return true;
    }
}
