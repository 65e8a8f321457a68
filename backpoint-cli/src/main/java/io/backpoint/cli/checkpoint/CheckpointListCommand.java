package io.backpoint.cli.checkpoint;

import io.backpoint.api.Checkpoint;
import io.backpoint.api.Domain;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import io.backpoint.cli.shell.Table;
import io.backpoint.cli.shell.TreePrinter;
import io.backpoint.cli.shell.UsageException;
import io.backpoint.model.CheckpointDef;
import io.backpoint.vocab.CheckpointListFlag;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;

/** checkpoint-list: a domain's checkpoints as a table, names, or a tree. */
public final class CheckpointListCommand implements Command {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z");

    @Override
    public String name() {
        return "checkpoint-list";
    }

    @Override
    public String summary() {
        return "List checkpoints for a domain";
    }

    @Override
    public String description() {
        return "Checkpoint List";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.data("domain", "domain name, id or uuid"),
                OptionDef.bool("parent", "add a column showing parent checkpoint"),
                OptionDef.bool("roots", "list only checkpoints without parents"),
                OptionDef.bool("leaves", "list only checkpoints without children"),
                OptionDef.bool("no-leaves", "list only checkpoints that are not leaves (with children)"),
                OptionDef.bool("tree", "list checkpoints in a tree"),
                OptionDef.string("from", "limit list to children of given checkpoint"),
                OptionDef.bool("descendants", "with --from, list all descendants"),
                OptionDef.bool("name", "list checkpoint names only"),
                OptionDef.bool("topological", "sort list topologically rather than by name"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        args.exclusive("parent", "roots");
        args.exclusive("parent", "tree");
        args.exclusive("roots", "tree");
        args.exclusive("roots", "from");
        args.exclusive("tree", "name");
        boolean tree = args.has("tree");
        EnumSet<CheckpointListFlag> flags = EnumSet.noneOf(CheckpointListFlag.class);
        if (args.has("leaves")) {
            if (tree) {
                throw new UsageException("--leaves and --tree are mutually exclusive");
            }
            flags.add(CheckpointListFlag.LEAVES);
        }
        if (args.has("no-leaves")) {
            if (tree) {
                throw new UsageException("--no-leaves and --tree are mutually exclusive");
            }
            flags.add(CheckpointListFlag.NO_LEAVES);
        }
        if (args.has("topological")) {
            flags.add(CheckpointListFlag.TOPOLOGICAL);
        }
        if (args.has("descendants") && !args.has("from")) {
            throw new UsageException("--descendants requires --from");
        }
        Domain dom = shell.domain(args.get("domain"));
        // Beyond virsh: metadata Backpoint could not read is named, never silently skipped.
        for (String problem : dom.checkpointMetadataProblems()) {
            shell.err().println("warning: " + problem);
        }
        String from = args.get("from");

        List<Checkpoint> list = new ArrayList<>();
        Checkpoint start = null;
        if (from != null) {
            start = dom.checkpoint(from);
            EnumSet<CheckpointListFlag> childFlags = EnumSet.copyOf(flags.isEmpty() ? EnumSet.noneOf(CheckpointListFlag.class) : flags);
            // virsh's --tree with --from shows the direct children only, unless --descendants.
            if (args.has("descendants")) {
                childFlags.add(CheckpointListFlag.DESCENDANTS);
            }
            list.addAll(start.children(childFlags));
        } else {
            if (args.has("roots")) {
                flags.add(CheckpointListFlag.ROOTS);
            }
            list.addAll(dom.listCheckpoints(flags));
        }
        if (!flags.contains(CheckpointListFlag.TOPOLOGICAL)) {
            list.sort(Comparator.comparing((Checkpoint c) -> c.name(), String.CASE_INSENSITIVE_ORDER)
                    .thenComparing(Checkpoint::name));
        }

        if (tree) {
            List<TreePrinter.Item> items = new ArrayList<>();
            if (start != null) {
                items.add(new TreePrinter.Item(start.name(), null));
            }
            for (Checkpoint c : list) {
                items.add(new TreePrinter.Item(c.name(), parentName(c)));
            }
            TreePrinter.print(items, shell.out());
            return true;
        }
        if (args.has("name")) {
            for (Checkpoint c : list) {
                shell.out().println(c.name());
            }
            return true;
        }
        boolean withParent = args.has("parent");
        Table table = withParent ? new Table("Name", "Creation Time", "Parent") : new Table("Name", "Creation Time");
        ZoneId zone = ZoneId.systemDefault();
        for (Checkpoint c : list) {
            CheckpointDef def = c.definition();
            String time = TIME.format(Instant.ofEpochSecond(def.creationTime()).atZone(zone));
            if (withParent) {
                table.row(c.name(), time, def.parentName() == null ? "" : def.parentName());
            } else {
                table.row(c.name(), time);
            }
        }
        table.print(shell.out());
        return true;
    }

    private static String parentName(Checkpoint c) {
        return c.definition().parentName();
    }
}
