package io.backpoint.cli.domain;

import io.backpoint.api.Domain;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import io.backpoint.cli.shell.Table;
import io.backpoint.model.XmlNode;
import io.backpoint.vocab.DomainState;
import io.backpoint.xml.DomainXml;
import java.io.PrintStream;
import java.util.List;

/** dominfo: basic facts about a domain, in virsh's layout. */
public final class DomInfoCommand implements Command {
    @Override
    public String name() {
        return "dominfo";
    }

    @Override
    public String summary() {
        return "domain information";
    }

    @Override
    public String description() {
        return "Returns basic information about the domain.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(OptionDef.data("domain", "domain name, id or uuid"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        Domain dom = shell.domain(args.get("domain"));
        DomainState state = dom.state();
        XmlNode xml = DomainXml.parse(dom.xmlDesc(false, true)).element();
        PrintStream out = shell.out();
        Table.field(out, "Id:", state.active() ? Integer.toString(dom.id()) : "-");
        Table.field(out, "Name:", dom.name());
        Table.field(out, "UUID:", dom.uuid());
        XmlNode os = xml.child("os");
        XmlNode type = os == null ? null : os.child("type");
        Table.field(out, "OS Type:", type == null || type.text() == null ? "hvm" : type.text());
        Table.field(out, "State:", state.text());
        XmlNode vcpu = xml.child("vcpu");
        Table.field(out, "CPU(s):", vcpu == null || vcpu.text() == null ? "1" : vcpu.text().trim());
        Table.field(out, "Max memory:", kib(xml.child("memory")) + " KiB");
        XmlNode current = xml.child("currentMemory");
        Table.field(out, "Used memory:", kib(current != null ? current : xml.child("memory")) + " KiB");
        Table.field(out, "Persistent:", dom.persistent() ? "yes" : "no");
        Table.field(out, "Autostart:", "disable");
        Table.field(out, "Managed save:", "no");
        Table.field(out, "Security model:", "none");
        Table.field(out, "Security DOI:", "0");
        return true;
    }

    /** The element's size in KiB, honouring its unit attribute. */
    private static long kib(XmlNode el) {
        if (el == null || el.text() == null) {
            return 0;
        }
        long v = Long.parseLong(el.text().trim());
        String unit = el.attribute("unit") == null ? "KiB" : el.attribute("unit");
        return switch (unit) {
            case "b", "bytes" -> v / 1024;
            case "MiB", "M" -> v * 1024;
            case "GiB", "G" -> v * 1024 * 1024;
            case "KB" -> v * 1000 / 1024;
            case "MB" -> v * 1000 * 1000 / 1024;
            case "GB" -> v * 1000L * 1000 * 1000 / 1024;
            default -> v;
        };
    }
}
