package io.backpoint.cli.checkpoint;

import io.backpoint.api.Checkpoint;
import io.backpoint.api.Domain;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import io.backpoint.cli.shell.UserFiles;
import io.backpoint.vocab.CheckpointCreateFlag;
import java.util.EnumSet;
import java.util.List;

/** checkpoint-create: a checkpoint from an XML file (or the default document). */
public final class CheckpointCreateCommand implements Command {
    @Override
    public String name() {
        return "checkpoint-create";
    }

    @Override
    public String summary() {
        return "Create a checkpoint from XML";
    }

    @Override
    public String description() {
        return "Create a checkpoint from XML for use in future incremental backups";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.data("domain", "domain name, id or uuid"),
                OptionDef.string("xmlfile", "domain checkpoint XML"),
                OptionDef.bool("redefine", "redefine metadata for existing checkpoint"),
                OptionDef.bool("redefine-validate", "validate the redefined checkpoint"),
                OptionDef.bool("quiesce", "quiesce guest's file systems"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        args.requires("redefine-validate", "redefine");
        EnumSet<CheckpointCreateFlag> flags = EnumSet.noneOf(CheckpointCreateFlag.class);
        if (args.has("redefine")) {
            flags.add(CheckpointCreateFlag.REDEFINE);
        }
        if (args.has("redefine-validate")) {
            flags.add(CheckpointCreateFlag.REDEFINE_VALIDATE);
        }
        if (args.has("quiesce")) {
            flags.add(CheckpointCreateFlag.QUIESCE);
        }
        Domain dom = shell.domain(args.get("domain"));
        String file = args.get("xmlfile");
        String xml = file == null ? "<domaincheckpoint/>" : UserFiles.read(shell, file);
        Checkpoint chk = dom.createCheckpoint(xml, flags);
        if (file == null) {
            shell.out().print("Domain checkpoint " + chk.name() + " created");
        } else {
            shell.out().print("Domain checkpoint " + chk.name() + " created from '" + file + "'");
        }
        return true;
    }
}
