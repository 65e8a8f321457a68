package io.backpoint.cli.domain;

import io.backpoint.api.Domain;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import io.backpoint.vocab.JobInfo;
import java.util.List;

/** domjobinfo: the current job's statistics, or with --completed the last ended one's. */
public final class DomJobInfoCommand implements Command {
    @Override
    public String name() {
        return "domjobinfo";
    }

    @Override
    public String summary() {
        return "domain job information";
    }

    @Override
    public String description() {
        return "Returns information about jobs running on a domain.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.data("domain", "domain name, id or uuid"),
                OptionDef.bool("completed", "return statistics of a recently completed job"),
                OptionDef.bool("keep-completed", "don't destroy statistics of a recently completed job when reading"),
                OptionDef.bool("anystats", "print statistics for any kind of job (even failed ones)"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        args.requires("keep-completed", "completed");
        Domain dom = shell.domain(args.get("domain"));
        JobInfo info = dom.jobInfo(args.has("completed"), args.has("keep-completed"));
        JobInfoPrinter.print(shell.out(), info, args.has("anystats"));
        return true;
    }
}
