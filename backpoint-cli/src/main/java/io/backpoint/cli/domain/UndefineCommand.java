package io.backpoint.cli.domain;

import io.backpoint.api.Domain;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import java.util.List;

/** undefine: removes a shut-off domain's definition. */
public final class UndefineCommand implements Command {
    @Override
    public String name() {
        return "undefine";
    }

    @Override
    public String summary() {
        return "undefine a domain";
    }

    @Override
    public String description() {
        return "Undefine an inactive domain, or convert persistent to transient.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.data("domain", "domain name, id or uuid"),
                OptionDef.bool("checkpoints-metadata", "remove all domain checkpoint metadata, if inactive"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        Domain dom = shell.domain(args.get("domain"));
        dom.undefine(args.has("checkpoints-metadata"));
        shell.out().println("Domain '" + dom.name() + "' has been undefined");
        return true;
    }
}
