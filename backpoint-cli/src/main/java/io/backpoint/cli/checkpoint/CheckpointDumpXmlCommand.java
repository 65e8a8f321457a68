package io.backpoint.cli.checkpoint;

import io.backpoint.api.Checkpoint;
import io.backpoint.api.Domain;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import io.backpoint.cli.shell.XPathFilter;
import io.backpoint.vocab.CheckpointXmlFlag;
import java.util.EnumSet;
import java.util.List;

/** checkpoint-dumpxml: the checkpoint's XML. */
public final class CheckpointDumpXmlCommand implements Command {
    @Override
    public String name() {
        return "checkpoint-dumpxml";
    }

    @Override
    public String summary() {
        return "Dump XML for a domain checkpoint";
    }

    @Override
    public String description() {
        return "Checkpoint Dump XML";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.data("domain", "domain name, id or uuid"),
                OptionDef.string("checkpointname", "checkpoint name"),
                OptionDef.bool("security-info", "include security sensitive information in XML dump"),
                OptionDef.bool("no-domain", "exclude <domain> from XML"),
                OptionDef.bool("size", "include backup size estimate in XML dump"),
                OptionDef.named("xpath", "xpath expression to filter the XML document"),
                OptionDef.bool("wrap", "wrap xpath results in an common root element"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        EnumSet<CheckpointXmlFlag> flags = EnumSet.noneOf(CheckpointXmlFlag.class);
        if (args.has("security-info")) {
            flags.add(CheckpointXmlFlag.SECURE);
        }
        if (args.has("no-domain")) {
            flags.add(CheckpointXmlFlag.NO_DOMAIN);
        }
        if (args.has("size")) {
            flags.add(CheckpointXmlFlag.SIZE);
        }
        Domain dom = shell.domain(args.get("domain"));
        Checkpoint chk = Checkpoints.lookup(dom, args);
        return XPathFilter.print(shell, chk.xmlDesc(flags), args);
    }
}
