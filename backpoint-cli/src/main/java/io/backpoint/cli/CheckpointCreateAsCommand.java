package io.backpoint.cli;

import io.backpoint.api.Checkpoint;
import io.backpoint.api.CheckpointCreateFlag;
import io.backpoint.api.Domain;
import io.backpoint.xml.XmlWriter;
import java.util.ArrayList;
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
        if (!specs.isEmpty() && !chk.xmlDesc(EnumSet.of(io.backpoint.api.CheckpointXmlFlag.NO_DOMAIN)).contains("checkpoint='bitmap'")) {
            // libvirt's rule: once disks are listed, only those listed take part, so
            // "--diskspec vdb,checkpoint=no" alone leaves every disk out; virsh says nothing.
            shell.err().println("warning: checkpoint '" + chk.name() + "' covers no disk: once any disk is listed with"
                    + " --diskspec only the listed disks take part; list each disk to include, e.g. --diskspec vda,checkpoint=bitmap");
        }
        return true;
    }

    /**
     * disk[,checkpoint=TYPE][,bitmap=NAME], each key at most once, split as virsh splits it
     * (",," is a literal comma). Like virsh, an empty disk name is passed on for the schema to
     * refuse.
     */
    private static void diskSpec(XmlWriter w, String spec) {
        List<String> parts = splitCommas(spec);
        String checkpoint = null;
        String bitmap = null;
        for (String p : parts.subList(1, parts.size())) {
            if (p.startsWith("checkpoint=") && checkpoint == null) {
                checkpoint = p.substring("checkpoint=".length());
            } else if (p.startsWith("bitmap=") && bitmap == null) {
                bitmap = p.substring("bitmap=".length());
            } else {
                throw new Shell.CommandFailure("unable to parse diskspec: " + spec);
            }
        }
        w.emptyElement("disk", "name", parts.get(0), "checkpoint", checkpoint, "bitmap", bitmap);
    }

    /** virsh's vshStringToArray: fields separated by ',', with ",," standing for one comma. */
    static List<String> splitCommas(String s) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != ',') {
                field.append(c);
            } else if (i + 1 < s.length() && s.charAt(i + 1) == ',') {
                field.append(',');
                i++;
            } else {
                fields.add(field.toString());
                field.setLength(0);
            }
        }
        fields.add(field.toString());
        return fields;
    }
}
