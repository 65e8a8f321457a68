package io.backpoint.cli.domain;

import io.backpoint.api.Domain;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import java.util.List;
import java.util.function.Consumer;

/** start, destroy and shutdown: one action on a domain, then virsh's "Domain 'NAME' VERB". */
public final class DomainActionCommand implements Command {
    private final String name;
    private final String summary;
    private final String description;
    private final Consumer<Domain> action;
    private final String done;

    private DomainActionCommand(String name, String summary, String description, Consumer<Domain> action, String done) {
        this.name = name;
        this.summary = summary;
        this.description = description;
        this.action = action;
        this.done = done;
    }

    public static DomainActionCommand start() {
        return new DomainActionCommand("start", "start a (previously defined) inactive domain",
                "Start a (previously defined) inactive domain.", Domain::start, "started");
    }

    public static DomainActionCommand destroy() {
        return new DomainActionCommand("destroy", "destroy (stop) a domain",
                "Destroy a given domain; QEMU quits cleanly first so it saves its dirty bitmaps, "
                        + "and is killed only after a timeout.",
                Domain::destroy, "destroyed");
    }

    public static DomainActionCommand shutdown() {
        return new DomainActionCommand("shutdown", "gracefully shutdown a domain",
                "Run shutdown in the target domain.", Domain::shutdown, "is being shutdown");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String summary() {
        return summary;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public List<OptionDef> options() {
        return List.of(OptionDef.data("domain", "domain name, id or uuid"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) {
        Domain dom = shell.domain(args.get("domain"));
        action.accept(dom);
        shell.out().println("Domain '" + dom.name() + "' " + done);
        return true;
    }
}
