package io.backpoint.cli;

import io.backpoint.api.Checkpoint;
import io.backpoint.vocab.CheckpointListFlag;
import io.backpoint.api.Domain;
import java.io.PrintStream;
import java.util.EnumSet;
import java.util.List;

/** checkpoint-info: name, domain, parent and counts of children and descendants. */
final class CheckpointInfoCommand implements Command {
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
        field(out, "Name:", chk.name());
        field(out, "Domain:", dom.name());
        field(out, "Parent:", parent == null ? "-" : parent);
        field(out, "Children:", Integer.toString(children));
        field(out, "Descendants:", Integer.toString(descendants));
        // Beyond virsh: a checkpoint whose bitmaps are broken says so, rather than looking usable.
        String problem = chk.problem().orElse(null);
        if (problem != null) {
            field(out, "Usable:", "no");
            shell.err().println("warning: checkpoint '" + chk.name() + "' is unusable: " + problem);
        }
        return true;
    }

    static void field(PrintStream out, String label, String value) {
        out.printf("%-15s %s%n", label, value);
    }
}
