package io.backpoint.qemu.backup;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.driver.CheckpointStore;
import io.backpoint.driver.DomainInfo;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.BackupDiskDef;
import io.backpoint.model.BackupDiskState;
import io.backpoint.model.CheckpointDef;
import io.backpoint.model.DomainDiskDef;
import io.backpoint.qemu.block.BlockNodeNames;
import io.backpoint.qemu.block.BlockNodes;
import io.backpoint.qemu.block.CheckpointPlanner;
import io.backpoint.qemu.domain.QemuDomain;
import io.backpoint.qemu.domain.QemuDomains;
import io.backpoint.qemu.domain.QmpSessions;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.qemu.qmp.QmpCommands;
import io.backpoint.qemu.qmp.QmpEvent;
import io.backpoint.qemu.qmp.QmpException;
import io.backpoint.qemu.qmp.QmpJob;
import io.backpoint.qemu.qmp.QmpStep;
import io.backpoint.util.IoErrors;
import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Brings a job record up to date with what QEMU says, at the start of every backup call: sub-jobs
 * that concluded are recorded, dismissed and detached; when none runs any more the job ends with
 * libvirt's outcome rules, its files are deleted as they must be and its statistics kept as the
 * completed job's. A record whose QEMU is gone is a FAILED job; a record of a begin that never
 * reached its transaction is undone.
 */
final class JobReconciler {
    private final QemuDomains domains;

    JobReconciler(QemuDomains domains) {
        this.domains = domains;
    }

    BackupJobStore store(String domain) {
        return new BackupJobStore(domains.get(domain).files());
    }

    /** Reconciles and returns the job that is still active, or null. */
    BackupJob reconcile(DomainInfo dom) {
        BackupJobStore store = store(dom.name());
        BackupJob job = store.load();
        if (job == null) {
            return null;
        }
        if (!dom.active()) {
            for (BackupDiskDef d : job.disks(BackupDiskState.RUNNING, BackupDiskState.CANCELLING)) {
                job.setState(d.name(), BackupDiskState.FAILED);
            }
            job.nbdRunning = false;
            job.recordError("QEMU exited while the backup job was running");
            terminate(job, store, dom.name());
            return null;
        }
        try {
            QmpClient qmp = domains.get(dom.name()).qmp();
            if (job.phase == BackupJob.Phase.PREPARING) {
                undoBegin(qmp, job, dom.name());
                store.delete();
                store.saveCompleted(stats(job, JobType.FAILED, List.of(), domains.get(dom.name()).clock()), job.id);
                return null;
            }
            return update(qmp, job, store, dom.name());
        } catch (IOException e) {
            throw QmpSessions.translate("query-jobs", e);
        }
    }

    private BackupJob update(QmpClient qmp, BackupJob job, BackupJobStore store, String domain) throws IOException {
        List<QmpJob> jobs = qmp.queryJobs();
        List<BackupDiskDef> ended = new ArrayList<>();
        // Sub-jobs whose end is already recorded but whose cleanup a crash cut short: QEMU may
        // still hold their concluded job or nodes. Their job being gone is not a vanishing.
        for (BackupDiskDef d : job.disks(BackupDiskState.COMPLETE, BackupDiskState.FAILED, BackupDiskState.CANCELLED)) {
            if (find(jobs, BackupNames.job(d.name())) != null || hasNodes(qmp, job, d)) {
                ended.add(d);
            }
        }
        for (BackupDiskDef d : job.disks(BackupDiskState.RUNNING, BackupDiskState.CANCELLING)) {
            String id = BackupNames.job(d.name());
            QmpJob j = find(jobs, id);
            if (j == null) {
                job.recordError("backup job '" + id + "' vanished from QEMU");
                job.setState(d.name(), BackupDiskState.FAILED);
                ended.add(d);
                continue;
            }
            if (!j.concluded()) {
                continue;
            }
            BackupDiskState state;
            if (j.error() == null) {
                state = BackupDiskState.COMPLETE;
            } else if (d.state() == BackupDiskState.CANCELLING || cancelled(j.error())) {
                state = BackupDiskState.CANCELLED;
            } else {
                state = BackupDiskState.FAILED;
                job.recordError(j.error());
            }
            job.progress.put(d.name(), new BackupJob.Progress(j.currentProgress(), j.totalProgress()));
            job.setState(d.name(), state);
            ended.add(d);
        }
        if (!ended.isEmpty()) {
            // The outcome is on disk before QEMU forgets it: a crash from here on leaves a record
            // that says how each sub-job ended, never a concluded job that seems to have vanished.
            store.save(job);
            for (BackupDiskDef d : ended) {
                String id = BackupNames.job(d.name());
                if (find(jobs, id) != null) {
                    qmp.execute(QmpCommands.jobDismiss(id));
                }
            }
            // The first pull sub-job to end takes the NBD server down for all disks, as in libvirt.
            if (job.pull()) {
                JobCleanup.stopNbd(qmp, job);
            }
            BlockNodes nodes = BlockNodes.parse(qmp.execute(QmpCommands.queryNamedBlockNodes()));
            for (BackupDiskDef d : ended) {
                JobCleanup.detach(qmp, job, job.def.disk(d.name()), nodes, true);
            }
            boolean broken = !job.disks(BackupDiskState.FAILED, BackupDiskState.CANCELLED).isEmpty();
            if (broken) {
                for (BackupDiskDef d : job.disks(BackupDiskState.RUNNING)) {
                    cancel(qmp, d);
                    job.setState(d.name(), BackupDiskState.CANCELLING);
                }
            }
            store.save(job);
        }
        if (!job.disks(BackupDiskState.RUNNING, BackupDiskState.CANCELLING).isEmpty()) {
            return job;
        }
        JobCleanup.stopNbd(qmp, job);
        terminate(job, store, domain);
        return null;
    }

    /**
     * Whether QEMU still has the disk's target or scratch nodes, or the temporary bitmap the job
     * added to it (asked only for a record that needs it): a finish killed between detaching the
     * nodes and removing the bitmap leaves the bitmap alone.
     */
    private static boolean hasNodes(QmpClient qmp, BackupJob job, BackupDiskDef d) throws IOException {
        if (BackupJob.nodeName(d.store(), "format") == null && BackupJob.nodeName(d.store(), "storage") == null
                && job.bitmaps.get(d.name()) == null) {
            return false;
        }
        BlockNodes nodes = BlockNodes.parse(qmp.execute(QmpCommands.queryNamedBlockNodes()));
        if (JobCleanup.hasTempBitmap(job, d.name(), nodes)) {
            return true;
        }
        for (String type : List.of("format", "storage")) {
            String node = BackupJob.nodeName(d.store(), type);
            if (node != null && nodes.hasNode(node)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits up to {@code max} for QEMU to say that one of the job's running sub-jobs concluded
     * (JOB_STATUS_CHANGE); the next reconcile records it. True when one did.
     */
    boolean awaitSubJobEnd(DomainInfo dom, BackupJob job, Duration max) {
        Set<String> ids = new HashSet<>();
        for (BackupDiskDef d : job.disks(BackupDiskState.RUNNING, BackupDiskState.CANCELLING)) {
            ids.add(BackupNames.job(d.name()));
        }
        long deadline = System.nanoTime() + max.toNanos();
        try {
            QmpClient qmp = domains.get(dom.name()).qmp();
            for (long left = max.toNanos(); left > 0; left = deadline - System.nanoTime()) {
                QmpEvent e = qmp.awaitEvent(Duration.ofNanos(left));
                if (e != null && e.name().equals("JOB_STATUS_CHANGE") && ids.contains(e.data().path("id").asText())
                        && e.data().path("status").asText().equals("concluded")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw QmpSessions.translate("query-jobs", e);
        }
    }

    /** Cancels every running sub-job (virDomainAbortJob); they conclude asynchronously. */
    void cancelAll(DomainInfo dom, BackupJob job) {
        BackupJobStore store = store(dom.name());
        try {
            QmpClient qmp = domains.get(dom.name()).qmp();
            for (BackupDiskDef d : job.disks(BackupDiskState.RUNNING)) {
                cancel(qmp, d);
                job.setState(d.name(), BackupDiskState.CANCELLING);
            }
            store.save(job);
            for (BackupDiskDef d : job.disks(BackupDiskState.CANCELLING)) {
                String id = BackupNames.job(d.name());
                if (find(qmp.queryJobs(), id) != null) {
                    qmp.awaitConcluded(id, JobCleanup.CANCEL_WAIT);
                }
            }
        } catch (IOException e) {
            throw QmpSessions.translate("block-job-cancel", e);
        }
    }

    private static void cancel(QmpClient qmp, BackupDiskDef d) {
        try {
            qmp.execute(QmpCommands.blockJobCancel(BackupNames.job(d.name()), true));
        } catch (IOException e) {
            // Concluded in the meantime: the next reconcile records how it ended.
        }
    }

    /** libvirt's outcome: FAILED if any failed, else CANCELLED if any was cancelled in push mode, else COMPLETED. */
    static JobType outcome(BackupJob job) {
        if (!job.disks(BackupDiskState.FAILED).isEmpty()) {
            return JobType.FAILED;
        }
        if (!job.pull() && !job.disks(BackupDiskState.CANCELLED).isEmpty()) {
            return JobType.CANCELLED;
        }
        return JobType.COMPLETED;
    }

    /** Ends the job once QEMU holds nothing of it any more (its NBD server stopped). */
    private void terminate(BackupJob job, BackupJobStore store, String domain) {
        JobType outcome = outcome(job);
        // Scratch files always go; push targets only when they do not hold a finished backup.
        JobCleanup.deleteFiles(job, job.pull() || outcome != JobType.COMPLETED);
        if (!job.pull() && outcome == JobType.COMPLETED) {
            TargetRecords.write(domain, job);
        } else if (!job.pull()) {
            TargetRecords.removeLeftovers(job);
        }
        store.saveCompleted(stats(job, outcome, List.of(), domains.get(domain).clock()), job.id);
        store.delete();
    }

    /** Statistics: final numbers of ended sub-jobs plus the live numbers of running ones. */
    JobInfo stats(BackupJob job, JobType type, List<QmpJob> live, Clock clock) {
        long current = 0;
        long total = 0;
        for (BackupDiskDef d : job.def.backedUpDisks()) {
            BackupJob.Progress p = job.progress.get(d.name());
            if (p != null) {
                current += p.current();
                total += p.total();
                continue;
            }
            QmpJob j = find(live, BackupNames.job(d.name()));
            if (j != null) {
                current += j.currentProgress();
                total += j.totalProgress();
            }
        }
        long elapsed = Math.max(0, clock.millis() - job.beginMillis);
        int op = JobInfo.OPERATION_BACKUP;
        if (job.pull()) {
            return new JobInfo(type, op, elapsed, 0, 0, current, total, job.error);
        }
        return new JobInfo(type, op, elapsed, total, current, 0, 0, job.error);
    }

    /** The running job's statistics (UNBOUNDED, as libvirt reports a backup). */
    JobInfo liveStats(DomainInfo dom, BackupJob job) {
        try {
            QemuDomain seam = domains.get(dom.name());
            return stats(job, JobType.UNBOUNDED, seam.qmp().queryJobs(), seam.clock());
        } catch (IOException e) {
            throw QmpSessions.translate("query-jobs", e);
        }
    }

    /**
     * Takes back everything a begin did: the checkpoint created with it (bitmaps and, if it was
     * committed, metadata), block jobs, NBD server, nodes, temporary bitmaps, files.
     */
    void undoBegin(QmpClient qmp, BackupJob job, String domain) throws IOException {
        List<QmpJob> jobs = qmp.queryJobs();
        // Jobs are never dismissed automatically, so they exist exactly when the transaction ran;
        // only then did it create the checkpoint's bitmaps (a bitmap of that name found otherwise
        // is not ours to remove). The checkpoint goes first, while the jobs still show that.
        boolean transactionRan = false;
        for (BackupDiskDef d : job.def.backedUpDisks()) {
            transactionRan |= find(jobs, BackupNames.job(d.name())) != null;
        }
        if (transactionRan && job.checkpoint != null) {
            dropCheckpoint(qmp, job, domain);
        }
        for (BackupDiskDef d : job.def.backedUpDisks()) {
            JobCleanup.cancelAndDismiss(qmp, job, BackupNames.job(d.name()), jobs);
            JobCleanup.dismissCreateJobs(qmp, job, d, jobs);
        }
        JobCleanup.stopNbd(qmp, job);
        BlockNodes nodes = BlockNodes.parse(qmp.execute(QmpCommands.queryNamedBlockNodes()));
        for (BackupDiskDef d : job.def.backedUpDisks()) {
            JobCleanup.detach(qmp, job, d, nodes, transactionRan);
        }
        JobCleanup.deleteFiles(job, true);
        job.recordError("the backup job did not start: its begin was interrupted");
    }

    /**
     * Removes the checkpoint a begin created: its bitmaps, then its metadata if it was committed.
     * One that another checkpoint was since created on top of is kept (it is whole), and said.
     */
    private void dropCheckpoint(QmpClient qmp, BackupJob job, String domain) throws IOException {
        QemuDomain seam = domains.get(domain);
        CheckpointStore checkpoints = seam.checkpoints();
        boolean committed = false;
        for (CheckpointDef def : checkpoints.load().defs()) {
            if (job.checkpoint.equals(def.parentName())) {
                job.recordError("checkpoint '" + job.checkpoint + "' of the interrupted backup is kept: checkpoint '"
                        + def.name() + "' was created after it");
                return;
            }
            committed |= def.name().equals(job.checkpoint);
        }
        BlockNodes nodes = BlockNodes.parse(qmp.execute(QmpCommands.queryNamedBlockNodes()));
        Map<String, List<String>> chains = new LinkedHashMap<>();
        for (DomainDiskDef disk : seam.definition().disks()) {
            chains.put(disk.targetDev(), BlockNodeNames.chain(disk.targetDev()));
        }
        // One removal at a time, so that one QEMU refuses is recorded and the others still go; a
        // monitor that goes away is thrown before the metadata goes, so the next call retries.
        for (ObjectNode removal : CheckpointPlanner.delete(job.checkpoint, chains, nodes).actions()) {
            try {
                qmp.execute(QmpStep.ofAction(removal));
            } catch (QmpException e) {
                job.recordError("cannot remove bitmap '" + job.checkpoint + "': " + IoErrors.reason(e));
            }
        }
        if (committed) {
            try {
                checkpoints.delete(job.checkpoint);
            } catch (BackpointException e) {
                job.recordError(e.getMessage());
            }
        }
    }

    static QmpJob find(List<QmpJob> jobs, String id) {
        for (QmpJob j : jobs) {
            if (j.id().equals(id)) {
                return j;
            }
        }
        return null;
    }

    /** QEMU reports a cancelled job with strerror(ECANCELED) as its error. */
    private static boolean cancelled(String error) {
        return error.toLowerCase(Locale.ROOT).contains("cancel");
    }

    static BackpointException noJob() {
        return new BackpointException(ErrorCode.OPERATION_INVALID, "no job is active on the domain");
    }
}
