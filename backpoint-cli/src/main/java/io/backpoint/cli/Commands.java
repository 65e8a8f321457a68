package io.backpoint.cli;

import java.util.List;

/** Every command, by group, in the order help lists them. */
final class Commands {
    private Commands() {}

    static List<CommandGroup> groups() {
        return List.of(
                new CommandGroup("Domain Management", "domain", List.of(
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
                new CommandGroup("Backpoint", "backpoint", List.of(
                        new RestoreCommand(),
                        new DemoCliCommand(),
                        new ValidateCommand(),
                        new HelpCommand())));
    }
}
