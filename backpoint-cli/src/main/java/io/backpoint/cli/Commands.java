package io.backpoint.cli;

import java.util.ArrayList;
import java.util.List;

/** Every command, by group, in the order help lists them. */
final class Commands {
    record Group(String title, String keyword, List<Command> commands) {}

    private Commands() {}

    static List<Group> groups() {
        return List.of(
                new Group("Domain Management", "domain", List.of(
                        new DefineCommand(),
                        DomainActionCommand.destroy(),
                        new DomJobAbortCommand(),
                        new DomJobInfoCommand(),
                        new DumpXmlCommand(),
                        new QemuMonitorCommand(),
                        DomainActionCommand.shutdown(),
                        DomainActionCommand.start(),
                        new UndefineCommand())),
                new Group("Domain Monitoring", "monitor", List.of(
                        new DomInfoCommand(),
                        new DomStateCommand(),
                        new ListCommand())),
                new Group("Checkpoint", "checkpoint", List.of(
                        new CheckpointCreateCommand(),
                        new CheckpointCreateAsCommand(),
                        new CheckpointDeleteCommand(),
                        new CheckpointDumpXmlCommand(),
                        new CheckpointInfoCommand(),
                        new CheckpointListCommand(),
                        new CheckpointParentCommand())),
                new Group("Backup", "backup", List.of(
                        new BackupBeginCommand(),
                        new BackupDumpXmlCommand())),
                new Group("Backup repository", "repository", List.of(
                        new RepoInitCommand(),
                        new SnapshotsCommand(),
                        new VerifyCommand(),
                        new PruneCommand(),
                        new GcCommand())),
                new Group("Backpoint", "backpoint", List.of(
                        new RestoreCommand(),
                        new DemoCliCommand(),
                        new ValidateCommand(),
                        new HelpCommand())));
    }

    static List<Command> all() {
        List<Command> all = new ArrayList<>();
        for (Group g : groups()) {
            all.addAll(g.commands());
        }
        return all;
    }
}
