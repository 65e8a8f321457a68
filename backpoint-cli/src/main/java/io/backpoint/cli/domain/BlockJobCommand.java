package io.backpoint.cli.domain;

import io.backpoint.cli.recover.PullProgress;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import io.backpoint.vocab.BlockJobInfo;
import io.backpoint.vocab.BlockJobInfoFlag;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** blockjob --info: a disk's block job as virsh prints it (progress on stderr, its line end on stdout). */
public final class BlockJobCommand implements Command {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    @Override
    public String name() {
        return "blockjob";
    }

    @Override
    public String summary() {
        return "Manage active block operations";
    }

    @Override
    public String description() {
        return "Query a disk's active block job (--info, the default); --raw prints its fields, --bytes the "
                + "bandwidth in bytes/s. Aborting and setting the speed of a job are not supported yet.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.data("domain", "domain name, id or uuid"),
                OptionDef.data("path", "fully-qualified path of disk"),
                OptionDef.bool("info", "get active job information for the specified disk"),
                OptionDef.bool("raw", "implies --info; output details rather than human summary"),
                OptionDef.bool("bytes", "get/set bandwidth in bytes rather than MiB/s"),
                OptionDef.bool("abort", "abort the active job on the specified disk"),
                OptionDef.bool("pivot", "abort active job and pivot to new disk"),
                OptionDef.integer("bandwidth", "set the bandwidth limit in MiB/s"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) {
        if (args.has("abort") || args.has("pivot") || args.has("bandwidth")) {
            throw new Shell.CommandFailure("this function is not supported by the connection driver: blockjob --abort,"
                    + " --pivot and --bandwidth");
        }
        var dom = shell.domain(args.get("domain"));
        String path = args.get("path");
        boolean raw = args.has("raw");
        Optional<BlockJobInfo> info = dom.blockJobInfo(path, args.has("bytes") ? BlockJobInfoFlag.BANDWIDTH_BYTES.bit() : 0);
        if (info.isEmpty()) {
            if (!raw) {
                // virsh prints no newline here; the shell's line after each command ends it.
                shell.out().print("No current block job for " + path);
            }
            return true;
        }
        BlockJobInfo i = info.get();
        if (raw) {
            // virsh 9.0 prints the job's label here too (" type=Block Pull").
            shell.out().printf(Locale.ROOT, " type=%s%n bandwidth=%d%n cur=%d%n end=%d%n", i.type().label(), i.bandwidth(),
                    i.cur(), i.end());
            return true;
        }
        long speed = args.has("bytes") ? i.bandwidth() : i.bandwidth() << 20;
        shell.out().flush();
        shell.err().print("\r" + PullProgress.line(i.type().label(), i.cur(), i.end()));
        shell.err().flush();
        if (speed != 0) {
            int unit = 0;
            double val = speed;
            while (val >= 1024 && unit < UNITS.length - 1) {
                val /= 1024;
                unit++;
            }
            shell.out().printf(Locale.ROOT, "    Bandwidth limit: %d bytes/s (%.3f %s/s)", speed, val, UNITS[unit]);
        }
        shell.out().println();
        return true;
    }
}
