package io.backpoint.cli.backup;

import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import java.util.List;

/** backup-dumpxml: the running backup job's XML with every default filled in. */
public final class BackupDumpXmlCommand implements Command {
    @Override
    public String name() {
        return "backup-dumpxml";
    }

    @Override
    public String summary() {
        return "Dump XML for an ongoing domain block backup job";
    }

    @Override
    public String description() {
        return "Backup Dump XML";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(OptionDef.data("domain", "domain name, id or uuid"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        shell.out().print(shell.domain(args.get("domain")).backupXmlDesc());
        return true;
    }
}
