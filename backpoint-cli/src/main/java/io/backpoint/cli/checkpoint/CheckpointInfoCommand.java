package io.backpoint.cli.checkpoint;

import io.backpoint.api.Checkpoint;
import io.backpoint.api.Domain;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import io.backpoint.cli.shell.Table;
import io.backpoint.vocab.CheckpointListFlag;
import java.io.PrintStream;
import java.util.EnumSet;
import java.util.List;

/** checkpoint-info: name, domain, parent and counts of children and descendants. */
public final class CheckpointInfoCommand implements Command {
    @Override
    public String name() {
        return "checkpoint-info";
    }

    @Override
    public String summary() {
        return "checkpoint information";
    }

    @Override
    public String description() {
        return "Returns basic information about a checkpoint.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.data("domain", "domain name, id or uuid"),
                OptionDef.string("checkpointname", "checkpoint name"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        Domain dom = shell.domain(args.get("domain"));
        Checkpoint chk = Checkpoints.lookup(dom, args);
        String parent = chk.definition().parentName();
        int children = chk.children(EnumSet.noneOf(CheckpointListFlag.class)).size();
        int descendants = chk.children(EnumSet.of(CheckpointListFlag.DESCENDANTS)).size();
        PrintStream out = shell.out();
        Table.field(out, "Name:", chk.name());
        Table.field(out, "Domain:", dom.name());
        Table.field(out, "Parent:", parent == null ? "-" : parent);
        Table.field(out, "Children:", Integer.toString(children));
        Table.field(out, "Descendants:", Integer.toString(descendants));
        // Beyond virsh: a checkpoint whose bitmaps are broken says so, rather than looking usable.
        String problem = chk.problem().orElse(null);
        if (problem != null) {
            Table.field(out, "Usable:", "no");
            shell.err().println("warning: checkpoint '" + chk.name() + "' is unusable: " + problem);
        }
        return true;
    }
}
