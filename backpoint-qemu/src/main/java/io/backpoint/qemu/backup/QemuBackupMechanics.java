package io.backpoint.qemu.backup;

import io.backpoint.driver.BackupMechanics;
import io.backpoint.driver.DomainInfo;
import io.backpoint.model.BackupDef;
import io.backpoint.model.CheckpointDef;
import io.backpoint.qemu.domain.QemuDomain;
import io.backpoint.qemu.domain.QemuDomains;
import io.backpoint.vocab.JobInfo;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.time.Duration;
import java.util.Map;

/**
 * Backups on QEMU: push (QEMU writes qcow2 or raw targets) and pull (a frozen view of each disk
 * over NBD). The job lives in QEMU and in a record in the state directory, not in this object:
 * every call first reconciles the record with QEMU, so whichever process calls next reports,
 * finishes or aborts the job, even after the one that began it is gone.
 */
public final class QemuBackupMechanics implements BackupMechanics {
    private final JobReconciler reconciler;
    private final BackupStarter starter;

    public QemuBackupMechanics(QemuDomains domains) {
        this.reconciler = new JobReconciler(domains);
        this.starter = new BackupStarter(domains, reconciler);
    }

    @Override
    public boolean jobActive(DomainInfo dom) {
        return reconciler.reconcile(dom) != null;
    }

    @Override
    public String begin(DomainInfo dom, BackupDef backup, CheckpointDef checkpoint,
            Map<String, CheckpointDef> incrementalFrom, boolean reuseExternal, Runnable commitCheckpoint) {
        return begin(dom, backup, checkpoint, incrementalFrom, reuseExternal, false, commitCheckpoint);
    }

    @Override
    public String begin(DomainInfo dom, BackupDef backup, CheckpointDef checkpoint,
            Map<String, CheckpointDef> incrementalFrom, boolean reuseExternal, boolean quiesce, Runnable commitCheckpoint) {
        // The core has reconciled (jobActive) and refused a second job under the same lock.
        return starter.begin(dom, backup, checkpoint, reuseExternal, quiesce, commitCheckpoint);
    }

    @Override
    public BackupDef current(DomainInfo dom) {
        BackupJob job = reconciler.reconcile(dom);
        return job == null ? null : job.def;
    }

    @Override
    public JobInfo jobInfo(DomainInfo dom, boolean completed) {
        return jobInfo(dom, completed, false);
    }

    @Override
    public JobInfo jobInfo(DomainInfo dom, boolean completed, boolean keepCompleted) {
        BackupJob job = reconciler.reconcile(dom);
        if (completed) {
            // As libvirt: completed statistics only when no job runs.
            return job == null ? reconciler.store(dom.name()).completed(keepCompleted) : JobInfo.NONE;
        }
        return job == null ? JobInfo.NONE : reconciler.liveStats(dom, job);
    }

    @Override
    public JobInfo outcome(DomainInfo dom, String jobId) {
        BackupJob job = reconciler.reconcile(dom);
        if (job != null && jobId.equals(job.id)) {
            return JobInfo.NONE;
        }
        return reconciler.store(dom.name()).outcome(jobId);
    }

    /**
     * Whether the domain has a backup job record: undefine is refused then, so the record (and
     * the targets it may still have to delete) is never orphaned. Caller holds the domain's lock.
     */
    public boolean jobRecorded(QemuDomain domain) {
        return Files.exists(domain.files().backupJob(), LinkOption.NOFOLLOW_LINKS);
    }

    /** Deletes the domain's backup files (the last completed job's statistics): undefine. Caller holds the lock. */
    public void forget(QemuDomain domain) {
        new BackupJobStore(domain.files()).deleteAll();
    }

    /**
     * Waits on QEMU's job events in the call's session: reconciling reads the jobs, and an event
     * that comes after that read is queued in the same session, so an end is never missed.
     */
    @Override
    public JobInfo awaitJobInfo(DomainInfo dom, Duration max) {
        BackupJob job = reconciler.reconcile(dom);
        if (job == null) {
            return JobInfo.NONE;
        }
        if (reconciler.awaitSubJobEnd(dom, job, max)) {
            job = reconciler.reconcile(dom);
        }
        return job == null ? JobInfo.NONE : reconciler.liveStats(dom, job);
    }

    /**
     * Cancels every sub-job and, unlike libvirt, waits for them to conclude and finishes the job
     * before returning, so the caller sees the targets gone and the final statistics at once.
     */
    @Override
    public void abort(DomainInfo dom) {
        BackupJob job = reconciler.reconcile(dom);
        if (job == null) {
            throw JobReconciler.noJob();
        }
        reconciler.cancelAll(dom, job);
        reconciler.reconcile(dom);
    }
}
