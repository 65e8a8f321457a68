package io.backpoint.cli.domain;

import io.backpoint.api.Domain;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import io.backpoint.cli.shell.UserFiles;
import java.util.List;

/** define: a domain from an XML file. */
public final class DefineCommand implements Command {
    @Override
    public String name() {
        return "define";
    }

    @Override
    public String summary() {
        return "define (but don't start) a domain from an XML file";
    }

    @Override
    public String description() {
        return "Define a domain.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(OptionDef.data("file", "file containing an XML domain description"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        String file = args.get("file");
        String xml = UserFiles.read(shell, file);
        Domain dom = shell.connection().defineDomain(xml);
        shell.out().println("Domain '" + dom.name() + "' defined from " + file);
        return true;
    }
}
