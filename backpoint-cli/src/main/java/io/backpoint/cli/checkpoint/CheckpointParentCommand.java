package io.backpoint.cli.checkpoint;

import io.backpoint.api.Checkpoint;
import io.backpoint.api.Domain;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import java.util.List;

/** checkpoint-parent: the parent's name. */
public final class CheckpointParentCommand implements Command {
    @Override
    public String name() {
        return "checkpoint-parent";
    }

    @Override
    public String summary() {
        return "Get the name of the parent of a checkpoint";
    }

    @Override
    public String description() {
        return "Extract the checkpoint's parent, if any";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.data("domain", "domain name, id or uuid"),
                OptionDef.string("checkpointname", "find parent of checkpoint name"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        Domain dom = shell.domain(args.get("domain"));
        Checkpoint chk = Checkpoints.lookup(dom, args);
        String parent = chk.definition().parentName();
        if (parent == null) {
            throw new Shell.CommandFailure("checkpoint '" + chk.name() + "' has no parent");
        }
        shell.out().print(parent);
        return true;
    }
}
