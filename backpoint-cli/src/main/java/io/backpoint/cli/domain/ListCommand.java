package io.backpoint.cli.domain;

import io.backpoint.api.Domain;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import io.backpoint.cli.shell.Table;
import io.backpoint.vocab.DomainState;
import java.util.List;

/** list: domains as a table (active ones unless --all or --inactive), or names or UUIDs. */
public final class ListCommand implements Command {
    @Override
    public String name() {
        return "list";
    }

    @Override
    public String summary() {
        return "list domains";
    }

    @Override
    public String description() {
        return "Returns list of domains.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.bool("inactive", "list inactive domains"),
                OptionDef.bool("all", "list inactive & active domains"),
                OptionDef.bool("uuid", "list uuid's only"),
                OptionDef.bool("name", "list domain names only"),
                OptionDef.bool("id", "list domain IDs only"),
                OptionDef.bool("table", "list table (default)"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        args.exclusive("table", "name");
        args.exclusive("table", "uuid");
        args.exclusive("table", "id");
        boolean all = args.has("all");
        boolean inactive = args.has("inactive");
        Table table = new Table("Id", "Name", "State");
        boolean plain = args.has("name") || args.has("uuid") || args.has("id");
        for (Domain d : shell.connection().listAllDomains()) {
            DomainState state = d.state();
            boolean active = state.active();
            if (!(all || (inactive ? !active : active))) {
                continue;
            }
            int id = d.id();
            if (plain) {
                // virsh's order whatever the order of the options: UUID, id, name.
                StringBuilder line = new StringBuilder();
                if (args.has("id") && !active) {
                    continue;
                }
                if (args.has("uuid")) {
                    line.append(d.uuid());
                }
                if (args.has("id")) {
                    line.append(line.length() > 0 ? " " : "").append(id);
                }
                if (args.has("name")) {
                    line.append(line.length() > 0 ? " " : "").append(d.name());
                }
                shell.out().println(line);
            } else {
                table.row(active ? Integer.toString(id) : "-", d.name(), state.text());
            }
        }
        if (!plain) {
            table.print(shell.out());
        }
        return true;
    }
}
