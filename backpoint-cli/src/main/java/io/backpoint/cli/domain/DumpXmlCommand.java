package io.backpoint.cli.domain;

import io.backpoint.api.Domain;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import io.backpoint.cli.shell.XPathFilter;
import java.util.List;

/** dumpxml: the domain's XML. */
public final class DumpXmlCommand implements Command {
    @Override
    public String name() {
        return "dumpxml";
    }

    @Override
    public String summary() {
        return "domain information in XML";
    }

    @Override
    public String description() {
        return "Output the domain information as an XML dump to stdout.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.data("domain", "domain name, id or uuid"),
                OptionDef.bool("inactive", "show inactive defined XML"),
                OptionDef.bool("security-info", "include security sensitive information in XML dump"),
                OptionDef.named("xpath", "xpath expression to filter the XML document"),
                OptionDef.bool("wrap", "wrap xpath results in an common root element"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        Domain dom = shell.domain(args.get("domain"));
        return XPathFilter.print(shell, dom.xmlDesc(args.has("security-info"), args.has("inactive")), args);
    }
}
