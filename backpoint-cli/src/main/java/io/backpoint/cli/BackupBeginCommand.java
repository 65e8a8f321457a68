package io.backpoint.cli;

import io.backpoint.api.BackupBeginFlag;
import io.backpoint.api.Domain;
import io.backpoint.api.JobInfo;
import io.backpoint.api.JobType;
import io.backpoint.model.BackupMode;
import io.backpoint.xml.BackupParseFlag;
import io.backpoint.xml.BackupXml;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * backup-begin: starts a push or pull backup, optionally with a checkpoint at the same instant.
 * Beyond virsh, {@code --wait} blocks until a push job ends, showing progress, and fails unless
 * the job completed. It is refused for a pull backup before anything begins: a pull job ends only
 * when it is aborted, so waiting for it would never return.
 */
final class BackupBeginCommand implements Command {
    /** Polling starts fast, so a short job is seen to end soon, and backs off to this. */
    static final long POLL_MILLIS = 300;

    private final BooleanSupplier terminal;

    BackupBeginCommand() {
        this(() -> System.console() != null);
    }

    BackupBeginCommand(BooleanSupplier terminal) {
        this.terminal = terminal;
    }

    @Override
    public String name() {
        return "backup-begin";
    }

    @Override
    public String summary() {
        return "Start a disk backup of a live domain";
    }

    @Override
    public String description() {
        return "Use XML to start a full or incremental disk backup of a live domain, optionally creating a checkpoint";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.data("domain", "domain name, id or uuid"),
                OptionDef.string("backupxml", "domain backup XML"),
                OptionDef.string("checkpointxml", "domain checkpoint XML"),
                OptionDef.bool("reuse-external", "reuse files provided by caller"),
                OptionDef.bool("wait", "wait for a push backup to end, showing progress; fail unless it completed "
                        + "(refused for a pull backup, which ends only on domjobabort)"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        Domain dom = shell.domain(args.get("domain"));
        String backupFile = args.get("backupxml");
        String checkpointFile = args.get("checkpointxml");
        String backupXml = backupFile == null ? "<domainbackup/>" : UserFiles.read(shell, backupFile);
        String checkpointXml = checkpointFile == null ? null : UserFiles.read(shell, checkpointFile);
        EnumSet<BackupBeginFlag> flags = EnumSet.noneOf(BackupBeginFlag.class);
        if (args.has("reuse-external")) {
            flags.add(BackupBeginFlag.REUSE_EXTERNAL);
        }
        if (args.has("wait")
                && BackupXml.parse(backupXml, EnumSet.noneOf(BackupParseFlag.class)).mode() == BackupMode.PULL) {
            throw new Shell.CommandFailure(
                    "--wait is for push backups: a pull backup ends only when it is aborted (domjobabort)");
        }
        dom.backupBegin(backupXml, checkpointXml, flags);
        shell.out().println("Backup started");
        if (!args.has("wait")) {
            return true;
        }
        return await(shell, dom);
    }

    private boolean await(Shell shell, Domain dom) throws InterruptedException {
        BackupProgress progress = new BackupProgress(shell.out(), terminal.getAsBoolean());
        // Each wait returns as soon as QEMU says a part of the job ended, at the latest after a
        // progress interval (the domain stays locked only that long): no polling for the end.
        for (JobInfo info = dom.awaitJobInfo(Duration.ofMillis(POLL_MILLIS)); info.type() != JobType.NONE;
                info = dom.awaitJobInfo(Duration.ofMillis(POLL_MILLIS))) {
            progress.update(info);
        }
        // Kept, so that a later domjobinfo --completed still shows the job.
        JobInfo end = dom.jobInfo(true, true);
        if (end.type() == JobType.COMPLETED) {
            progress.update(end);
        }
        progress.finish();
        shell.out().flush();
        switch (end.type()) {
            case COMPLETED -> {
                shell.out().println("Backup completed");
                return true;
            }
            case FAILED -> throw new Shell.CommandFailure("backup job failed"
                    + (end.errorMessage() == null ? "" : ": " + end.errorMessage()));
            case CANCELLED -> throw new Shell.CommandFailure("backup job was cancelled");
            default -> throw new Shell.CommandFailure(
                    "backup job ended, but its outcome is unknown: another caller read its completed statistics");
        }
    }
}
