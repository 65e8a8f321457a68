package io.backpoint.cli;

import io.backpoint.cli.backup.BackupBeginCommand;
import io.backpoint.cli.backup.BackupDumpXmlCommand;
import io.backpoint.cli.checkpoint.CheckpointCreateAsCommand;
import io.backpoint.cli.checkpoint.CheckpointCreateCommand;
import io.backpoint.cli.checkpoint.CheckpointDeleteCommand;
import io.backpoint.cli.checkpoint.CheckpointDumpXmlCommand;
import io.backpoint.cli.checkpoint.CheckpointInfoCommand;
import io.backpoint.cli.checkpoint.CheckpointListCommand;
import io.backpoint.cli.checkpoint.CheckpointParentCommand;
import io.backpoint.cli.domain.BlockJobCommand;
import io.backpoint.cli.domain.BlockPullCommand;
import io.backpoint.cli.domain.DefineCommand;
import io.backpoint.cli.domain.DomInfoCommand;
import io.backpoint.cli.domain.DomJobAbortCommand;
import io.backpoint.cli.domain.DomJobInfoCommand;
import io.backpoint.cli.domain.DomStateCommand;
import io.backpoint.cli.domain.DomainActionCommand;
import io.backpoint.cli.domain.DumpXmlCommand;
import io.backpoint.cli.domain.ListCommand;
import io.backpoint.cli.domain.QemuMonitorCommand;
import io.backpoint.cli.domain.UndefineCommand;
import io.backpoint.cli.misc.DemoCliCommand;
import io.backpoint.cli.misc.RestoreCommand;
import io.backpoint.cli.misc.ValidateCommand;
import io.backpoint.cli.recover.RecoverCommand;
import io.backpoint.cli.repository.RepositoryCommands;
import io.backpoint.cli.shell.CommandGroup;
import io.backpoint.cli.shell.HelpCommand;
import java.util.List;

/** Every command, by group, in the order help lists them. */
final class Commands {
    private Commands() {}

    static List<CommandGroup> groups() {
        return List.of(
                new CommandGroup("Domain Management", "domain", List.of(
                        new BlockJobCommand(),
                        new BlockPullCommand(),
                        new DefineCommand(),
                        DomainActionCommand.destroy(),
                        new DomJobAbortCommand(),
                        new DomJobInfoCommand(),
                        new DumpXmlCommand(),
                        new QemuMonitorCommand(),
                        DomainActionCommand.shutdown(),
                        DomainActionCommand.start(),
                        new UndefineCommand())),
                new CommandGroup("Domain Monitoring", "monitor", List.of(
                        new DomInfoCommand(),
                        new DomStateCommand(),
                        new ListCommand())),
                new CommandGroup("Checkpoint", "checkpoint", List.of(
                        new CheckpointCreateCommand(),
                        new CheckpointCreateAsCommand(),
                        new CheckpointDeleteCommand(),
                        new CheckpointDumpXmlCommand(),
                        new CheckpointInfoCommand(),
                        new CheckpointListCommand(),
                        new CheckpointParentCommand())),
                new CommandGroup("Backup", "backup", List.of(
                        new BackupBeginCommand(),
                        new BackupDumpXmlCommand())),
                new CommandGroup("Backup repository", "repository", RepositoryCommands.group()),
                new CommandGroup("Backpoint", "backpoint", List.of(
                        RepositoryCommands.backup(),
                        new RestoreCommand(),
                        new RecoverCommand(),
                        new DemoCliCommand(),
                        new ValidateCommand(),
                        new HelpCommand())));
    }
}
