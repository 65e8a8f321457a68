package io.backpoint.cli.misc;

import io.backpoint.cli.repository.RepoRestoreCommand;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import io.backpoint.cli.shell.UsageException;
import io.backpoint.image.restore.ImageFormat;
import io.backpoint.image.restore.RestoreChain;
import io.backpoint.image.restore.Restorer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleConsumer;

/**
 * restore: rebuilds a disk as it was at the last backup given, from a full push backup and its
 * incrementals in the order they were taken. Needs no domain and no connection; the backups
 * are only read and an existing output is never overwritten.
 */
public final class RestoreCommand implements Command {
    @Override
    public String name() {
        return "restore";
    }

    @Override
    public String summary() {
        return "rebuild a disk from a full backup and its incrementals";
    }

    @Override
    public String description() {
        return "Rebuilds a disk image as it was at the last backup given, from a full push backup "
                + "followed by its incremental backups in the order they were taken. The chain is "
                + "checked first (images, and the backup records beside them: a backup without one is "
                + "refused unless --allow-unrecorded, one whose size or CRC-32C differs from what its job "
                + "wrote is refused); the backups are not "
                + "changed, and an existing output is never overwritten. With --repo, restores from a backup "
                + "repository instead: SNAPSHOT (an id, latest or DOMAIN:latest) with --disk NAME --output FILE "
                + "for one disk, or --output-dir DIR [--define NAME] for the whole VM.";
    }

    @Override
    public List<OptionDef> options() {
        List<OptionDef> options = new ArrayList<>(List.of(
                new OptionDef("output", OptionDef.Kind.STRING, false, false, "the disk image to create"),
                OptionDef.named("format", "format of the output: raw (default) or qcow2"),
                OptionDef.bool("verbose", "show progress"),
                OptionDef.bool("allow-unrecorded", "restore backups that have no record beside them (a job that"
                        + " did not complete leaves its target without one), with a warning"),
                OptionDef.argv("backup", "the full backup, then each incremental backup in order "
                        + "(with --repo: the snapshot)")));
        options.addAll(RepoRestoreCommand.options()); // the repository form, told apart by --repo
        return options;
    }

    @Override
    public boolean needsConnection() {
        return false;
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        if (args.has("repo")) {
            return RepoRestoreCommand.run(shell, args);
        }
        if (!args.has("output")) {
            throw new UsageException("command 'restore' requires --output option");
        }
        List<String> given = args.all("backup");
        if (given.isEmpty()) {
            // Required only in this form (--repo takes a snapshot instead), so the parser cannot say it.
            throw new UsageException("command 'restore' requires <backup> option");
        }
        ImageFormat format = args.has("format") ? ImageFormat.fromSpelling(args.get("format")) : ImageFormat.RAW;
        List<Path> backups = new ArrayList<>();
        for (String g : given) {
            backups.add(shell.path(g));
        }
        Path output = Restorer.checkOutput(shell.path(args.get("output")));
        RestoreChain chain = RestoreChain.check(backups, args.has("allow-unrecorded"));
        for (String w : chain.warnings()) {
            shell.err().println("warning: " + w);
        }
        new Restorer().restore(chain, output, format, args.has("verbose") ? progress(shell) : null);
        if (args.has("verbose")) {
            shell.err().println();
        }
        shell.out().print("Restored " + output + " from " + chain.size()
                + (chain.size() == 1 ? " backup" : " backups"));
        return true;
    }

    /** virsh's job progress line, redrawn in place, only when the whole percent changes. */
    private static DoubleConsumer progress(Shell shell) {
        int[] last = {-1};
        return percent -> {
            int p = (int) Math.floor(percent);
            if (p != last[0]) {
                last[0] = p;
                shell.err().printf("\rRestore: [%3d %%]", p);
                shell.err().flush();
            }
        };
    }
}
