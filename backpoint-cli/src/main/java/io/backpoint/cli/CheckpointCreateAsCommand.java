package io.backpoint.cli;

import io.backpoint.api.Checkpoint;
import io.backpoint.api.CheckpointCreateFlag;
import io.backpoint.api.Domain;
import io.backpoint.xml.XmlWriter;
import java.util.EnumSet;
import java.util.List;

/** checkpoint-create-as: a checkpoint from a name, a description and disk specs. */
final class CheckpointCreateAsCommand implements Command {
    @Override
    public String name() {
        return "checkpoint-create-as";
    }

    @Override
    public String summary() {
        return "Create a checkpoint from a set of args";
    }

    @Override
    public String description() {
        return "Create a checkpoint from arguments for use in future incremental backups";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.data("domain", "domain name, id or uuid"),
                OptionDef.string("name", "name of checkpoint"),
                OptionDef.string("description", "description of checkpoint"),
                OptionDef.bool("print-xml", "print XML document rather than create"),
                OptionDef.bool("quiesce", "quiesce guest's file systems"),
                OptionDef.argv("diskspec", "disk attributes: disk[,checkpoint=type][,bitmap=name]"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        Domain dom = shell.domain(args.get("domain"));
        XmlWriter w = new XmlWriter();
        w.open("domaincheckpoint");
        w.textElement("name", args.get("name"));
        w.textElement("description", args.get("description"));
        List<String> specs = args.all("diskspec");
        if (!specs.isEmpty()) {
            w.open("disks");
            for (String spec : specs) {
                diskSpec(w, spec);
            }
            w.close("disks");
        }
        w.close("domaincheckpoint");
        String xml = w.toString();
        if (args.has("print-xml")) {
            shell.out().println(xml);
            return true;
        }
        EnumSet<CheckpointCreateFlag> flags = EnumSet.noneOf(CheckpointCreateFlag.class);
        if (args.has("quiesce")) {
            flags.add(CheckpointCreateFlag.QUIESCE);
        }
        Checkpoint chk = dom.createCheckpoint(xml, flags);
        shell.out().print("Domain checkpoint " + chk.name() + " created");
        return true;
    }

    /** disk[,checkpoint=TYPE][,bitmap=NAME], each key at most once, as virsh accepts it. */
    private static void diskSpec(XmlWriter w, String spec) {
        String[] parts = spec.split(",", -1);
        String checkpoint = null;
        String bitmap = null;
        if (parts[0].isEmpty()) {
            throw new Shell.CommandFailure("unable to parse diskspec: " + spec);
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.startsWith("checkpoint=") && checkpoint == null) {
                checkpoint = p.substring("checkpoint=".length());
            } else if (p.startsWith("bitmap=") && bitmap == null) {
                bitmap = p.substring("bitmap=".length());
            } else {
                throw new Shell.CommandFailure("unable to parse diskspec: " + spec);
            }
        }
        w.emptyElement("disk", "name", parts[0], "checkpoint", checkpoint, "bitmap", bitmap);
    }
}
