package io.backpoint.cli.domain;

import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import java.util.List;

/** domjobabort: aborts the current job; for a pull backup this is how it ends. */
public final class DomJobAbortCommand implements Command {
    @Override
    public String name() {
        return "domjobabort";
    }

    @Override
    public String summary() {
        return "abort active domain job";
    }

    @Override
    public String description() {
        return "Aborts the currently running domain job";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.data("domain", "domain name, id or uuid"),
                OptionDef.bool("postcopy", "interrupt post-copy migration"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        var dom = shell.domain(args.get("domain"));
        if (args.has("postcopy")) {
            // Backpoint runs no migrations, so there is never a post-copy phase to interrupt.
            throw new Shell.CommandFailure("Requested operation is not valid: current job is not outgoing migration"
                    + " in post-copy mode");
        }
        dom.abortJob();
        return true;
    }
}
