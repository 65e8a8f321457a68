package io.backpoint.cli.repository;

import io.backpoint.cli.shell.Command;
import java.util.List;

/** The commands of the backup repository group; the commands themselves stay package-private. */
public final class RepositoryCommands {
    private RepositoryCommands() {}

    /** The "Backup repository" group, in the order help lists them. */
    public static List<Command> group() {
        return List.of(
                new RepoInitCommand(),
                new SnapshotsCommand(),
                new VerifyCommand(),
                new PruneCommand(),
                new GcCommand(),
                new ServeCommand(),
                FileCommand.ls(),
                FileCommand.cat());
    }

    /** {@code backup}: one consistent backup of a VM into a repository. */
    public static Command backup() {
        return new RepoBackupCommand();
    }
}
