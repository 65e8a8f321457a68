package io.backpoint.cli;

import io.backpoint.api.Domain;
import java.util.List;

/** start: start a (previously defined) inactive domain. */
final class StartCommand implements Command {
    @Override
    public String name() {
        return "start";
    }

    @Override
    public String summary() {
        return "start a (previously defined) inactive domain";
    }

    @Override
    public String description() {
        return "Start a (previously defined) inactive domain.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(OptionDef.data("domain", "domain name, id or uuid"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        Domain dom = shell.domain(args.get("domain"));
        dom.start();
        shell.out().println("Domain '" + dom.name() + "' started");
        return true;
    }
}
