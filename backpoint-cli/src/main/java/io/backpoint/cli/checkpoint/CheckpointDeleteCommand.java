package io.backpoint.cli.checkpoint;

import io.backpoint.api.Checkpoint;
import io.backpoint.api.Domain;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import io.backpoint.error.BackpointException;
import io.backpoint.vocab.CheckpointDeleteFlag;
import java.util.EnumSet;
import java.util.List;

/** checkpoint-delete: a checkpoint, its descendants, or both. */
public final class CheckpointDeleteCommand implements Command {
    @Override
    public String name() {
        return "checkpoint-delete";
    }

    @Override
    public String summary() {
        return "Delete a domain checkpoint";
    }

    @Override
    public String description() {
        return "Checkpoint Delete";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.data("domain", "domain name, id or uuid"),
                OptionDef.string("checkpointname", "checkpoint name"),
                OptionDef.bool("children", "delete checkpoint and all children"),
                OptionDef.bool("children-only", "delete children but not checkpoint"),
                OptionDef.bool("metadata", "delete only libvirt metadata, leaving checkpoint contents behind"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        Domain dom = shell.domain(args.get("domain"));
        Checkpoint chk = Checkpoints.lookup(dom, args);
        EnumSet<CheckpointDeleteFlag> flags = EnumSet.noneOf(CheckpointDeleteFlag.class);
        if (args.has("children")) {
            flags.add(CheckpointDeleteFlag.CHILDREN);
        }
        if (args.has("children-only")) {
            flags.add(CheckpointDeleteFlag.CHILDREN_ONLY);
        }
        if (args.has("metadata")) {
            flags.add(CheckpointDeleteFlag.METADATA_ONLY);
        }
        try {
            chk.delete(flags);
        } catch (BackpointException e) {
            throw Shell.CommandFailure.because("Failed to delete checkpoint " + chk.name(), e);
        }
        if (flags.contains(CheckpointDeleteFlag.CHILDREN_ONLY)) {
            shell.out().println("Domain checkpoint " + chk.name() + " children deleted");
        } else {
            shell.out().println("Domain checkpoint " + chk.name() + " deleted");
        }
        return true;
    }
}
