package io.backpoint.cli.repository;

import io.backpoint.cli.shell.*;
import io.backpoint.repo.DiskIndex;
import io.backpoint.repo.Repository;
import io.backpoint.repo.SnapshotJson;
import io.backpoint.repo.Snapshot;
import io.backpoint.repo.backup.BackupEngine;
import io.backpoint.repo.backup.BackupOptions;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * backup: one consistent backup of a running domain into a repository, incremental where the
 * repository's last snapshot of the domain allows it, full otherwise with the reason. Prints the
 * snapshot (or with --json, the snapshot document alone on stdout, everything else on stderr);
 * succeeds only when the snapshot was committed.
 */
final class RepoBackupCommand implements Command {
    private final BooleanSupplier terminal;

    RepoBackupCommand() {
        this(() -> System.console() != null);
    }

    RepoBackupCommand(BooleanSupplier terminal) {
        this.terminal = terminal;
    }

    @Override
    public String name() {
        return "backup";
    }

    @Override
    public String summary() {
        return "Back up a running domain into a repository (incremental forever)";
    }

    @Override
    public String description() {
        return "Takes one consistent backup of the domain's qcow2 disks into a new snapshot of the repository: "
                + "incremental when the repository's last snapshot of the domain has a usable checkpoint for a disk, "
                + "full for that disk otherwise (the reason is printed). Prints the snapshot id.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.data("domain", "domain name, id or uuid"),
                RepoOptions.repo(),
                OptionDef.bool("full", "read every disk whole, even where an incremental is possible"),
                new OptionDef("disk", OptionDef.Kind.ARGV, false, false,
                        "back up only this disk (target name, e.g. vda); may repeat"),
                OptionDef.bool("quiesce", "freeze the guest's file systems through its agent while the backup "
                        + "begins (needs qemu-guest-agent in the guest)"),
                RepoOptions.json());
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        var dom = shell.domain(args.get("domain"));
        boolean json = args.has("json");
        // With --json, stdout carries the document alone.
        PrintStream info = json ? shell.err() : shell.out();
        BackupOptions options = new BackupOptions(dom.name(), args.all("disk"), args.has("full"), args.has("quiesce"));
        try (Repository repo = RepoOptions.open(shell, args)) {
            RepoBackupProgress progress = new RepoBackupProgress(info, terminal.getAsBoolean());
            Snapshot snapshot;
            try {
                snapshot = new BackupEngine(shell.connection(), repo, Clock.systemUTC(), BackupEngine.defaultTmp())
                        .backup(options, progress);
            } finally {
                progress.finish();
            }
            if (json) {
                shell.out().println(SnapshotJson.print(SnapshotJson.toJson(snapshot)));
            } else {
                shell.out().println("snapshot " + snapshot.id() + " of '" + snapshot.domain() + "' committed");
                for (DiskIndex d : snapshot.disks()) {
                    shell.out().println("  " + d.name() + "  " + d.mode().json() + "  size " + RepoOptions.human(d.size())
                            + "  read " + RepoOptions.human(d.bytesRead()) + "  stored "
                            + RepoOptions.human(d.bytesStored()));
                }
            }
        }
        return true;
    }
}
