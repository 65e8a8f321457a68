package io.backpoint.cli;

import io.backpoint.api.Domain;
import java.util.List;

/** destroy: destroy (stop) a domain. */
final class DestroyCommand implements Command {
    @Override
    public String name() {
        return "destroy";
    }

    @Override
    public String summary() {
        return "destroy (stop) a domain";
    }

    @Override
    public String description() {
        return "Destroy a given domain; QEMU quits cleanly first so it saves its dirty bitmaps, and is killed only after a timeout.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(OptionDef.data("domain", "domain name, id or uuid"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        Domain dom = shell.domain(args.get("domain"));
        dom.destroy();
        shell.out().println("Domain '" + dom.name() + "' destroyed");
        return true;
    }
}
