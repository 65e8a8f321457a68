package io.backpoint.cli.domain;

import io.backpoint.api.Domain;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import java.util.List;

/** qemu-monitor-command: a QMP command (JSON) or, with --hmp, a human monitor command line. */
public final class QemuMonitorCommand implements Command {
    @Override
    public String name() {
        return "qemu-monitor-command";
    }

    @Override
    public String summary() {
        return "QEMU Monitor Command";
    }

    @Override
    public String description() {
        return "QEMU Monitor Command";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.data("domain", "domain name, id or uuid"),
                OptionDef.bool("hmp", "command is in human monitor protocol"),
                OptionDef.requiredArgv("cmd", "command"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        List<String> words = args.all("cmd");
        Domain dom = shell.domain(args.get("domain"));
        String reply = dom.monitorCommand(String.join(" ", words), args.has("hmp"));
        shell.out().print(reply.endsWith("\n") || reply.isEmpty() ? reply : reply + "\n");
        return true;
    }
}
