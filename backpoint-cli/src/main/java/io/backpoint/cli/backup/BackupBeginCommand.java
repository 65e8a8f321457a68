package io.backpoint.cli.backup;

import io.backpoint.api.Domain;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.InterruptHandler;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import io.backpoint.cli.shell.UserFiles;
import io.backpoint.model.BackupMode;
import io.backpoint.vocab.BackupBeginFlag;
import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import io.backpoint.xml.BackupParseFlag;
import io.backpoint.xml.BackupXml;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

/**
 * backup-begin: starts a push or pull backup, optionally with a checkpoint at the same instant.
 * Beyond virsh, {@code --wait} blocks until a push job ends, showing progress, and fails unless
 * the job completed. It is refused for a pull backup before anything begins: a pull job ends only
 * when it is aborted, so waiting for it would never return. Also beyond virsh, {@code --quiesce}
 * freezes the guest's file systems around the begin transaction.
 */
public final class BackupBeginCommand implements Command {
    /** The longest wait for a job event: how often progress is shown. */
    static final long POLL_MILLIS = 300;

    private final BooleanSupplier terminal;

    public BackupBeginCommand() {
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
                OptionDef.bool("quiesce", "Backpoint extension: freeze the guest's file systems through its agent "
                        + "for the backup's instant only (not the copy)"),
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
        if (args.has("quiesce")) {
            flags.add(BackupBeginFlag.QUIESCE);
        }
        if (args.has("wait")
                && BackupXml.parse(backupXml, EnumSet.noneOf(BackupParseFlag.class)).mode() == BackupMode.PULL) {
            throw new Shell.CommandFailure(
                    "--wait is for push backups: a pull backup ends only when it is aborted (domjobabort)");
        }
        String job = dom.backupBegin(backupXml, checkpointXml, flags);
        io.backpoint.util.Trace.mark("backup begun");
        shell.out().println("Backup started");
        if (!args.has("wait")) {
            return true;
        }
        return await(shell, dom, job);
    }

    private boolean await(Shell shell, Domain dom, String job) throws InterruptedException {
        BackupProgress progress = new BackupProgress(shell.out(), terminal.getAsBoolean());
        // Ctrl-C aborts the job, as virsh's --wait block job commands do (blockcommit, blockcopy):
        // exiting while the job went on would leave a backup no one waits for.
        CountDownLatch interrupted = new CountDownLatch(1);
        try (InterruptHandler handler = InterruptHandler.install(interrupted::countDown)) {
            boolean aborted = false;
            while (true) {
                // Returns as soon as QEMU says a part of the job ended, at the latest after a
                // progress interval (the domain stays locked only that long): no polling for the end.
                JobInfo info = dom.awaitJobInfo(Duration.ofMillis(POLL_MILLIS));
                io.backpoint.util.Trace.mark("job info " + info.type());
                if (info.type() == JobType.NONE) {
                    break;
                }
                if (interrupted.getCount() == 0 && !aborted) {
                    dom.abortJob();
                    aborted = true;
                    continue;
                }
                progress.update(info);
            }
            if (aborted) {
                progress.finish();
                shell.out().println();
                shell.out().println("Backup aborted");
                shell.out().flush();
                dom.jobInfo(true, true);
                return false;
            }
        }
        // This job's own outcome, which a domjobinfo --completed of another process cannot take
        // away; the completed statistics stay for domjobinfo --completed.
        JobInfo end = dom.jobOutcome(job);
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
