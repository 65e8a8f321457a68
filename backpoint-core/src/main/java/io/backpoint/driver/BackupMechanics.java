package io.backpoint.driver;

import io.backpoint.model.BackupDef;
import io.backpoint.model.CheckpointDef;
import io.backpoint.vocab.JobInfo;

/**
 * The hypervisor side of backups. The core parses, aligns and checks the definition (and the
 * checkpoint to create with it) with the domain locked, then calls {@link #begin}; the job then
 * lives on its own (push ends by itself, pull on abort) and survives the calling process.
 */
public interface BackupMechanics {
    /** Whether a backup job is active (running, or ended but not yet cleaned up). */
    boolean jobActive(DomainInfo dom);

    /**
     * Starts the backup; when {@code checkpoint} is not null its bitmaps are created in the same
     * transaction, so it marks exactly the backup's instant. On failure nothing is left behind.
     *
     * @param backup aligned definition (every disk resolved)
     * @param checkpoint aligned and prepared new checkpoint (with parent), or null
     * @param incrementalFrom the stored definitions of the checkpoints incremental disks start from, by name
     * @param commitCheckpoint stores {@code checkpoint}'s metadata; run once, right after the
     *        transaction succeeded and before the job goes on, so a running job's checkpoint always
     *        has its metadata. If it throws, the begin is undone and the exception rethrown.
     * @return the job's id, for {@link #outcome}
     */
    String begin(DomainInfo dom, BackupDef backup, CheckpointDef checkpoint,
            java.util.Map<String, CheckpointDef> incrementalFrom, boolean reuseExternal, Runnable commitCheckpoint);

    /**
     * As the other {@code begin}; with {@code quiesce} the guest's file systems are frozen
     * around the transaction (the backup's instant) and thawed before the copy. Drivers that
     * cannot freeze a guest refuse it.
     */
    default String begin(DomainInfo dom, BackupDef backup, CheckpointDef checkpoint,
            java.util.Map<String, CheckpointDef> incrementalFrom, boolean reuseExternal, boolean quiesce,
            Runnable commitCheckpoint) {
        if (quiesce) {
            throw new io.backpoint.error.BackpointException(io.backpoint.error.ErrorCode.ARGUMENT_UNSUPPORTED,
                    "quiesced backups are not supported by this connection");
        }
        return begin(dom, backup, checkpoint, incrementalFrom, reuseExternal, commitCheckpoint);
    }

    /** The running job's definition with everything filled in; null when there is none. */
    BackupDef current(DomainInfo dom);

    /** The current job's statistics, or with {@code completed} the last ended job's (NONE when none). */
    JobInfo jobInfo(DomainInfo dom, boolean completed);

    /**
     * As {@link #jobInfo(DomainInfo, boolean)}; a completed job's statistics are discarded once read
     * unless {@code keepCompleted} (libvirt's VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED). Drivers that
     * keep no completed statistics ignore it.
     */
    default JobInfo jobInfo(DomainInfo dom, boolean completed, boolean keepCompleted) {
        return jobInfo(dom, completed);
    }

    /**
     * The statistics of the job with this id once it has ended, whoever else read the completed
     * statistics meanwhile; NONE while it runs, or when another job has ended since.
     */
    default JobInfo outcome(DomainInfo dom, String jobId) {
        return JobInfo.NONE;
    }

    /**
     * The current job's statistics (as {@code jobInfo(dom, false)}) after waiting up to
     * {@code max} for it to make a step (a sub-job ending); NONE at once when there is no job.
     * The caller holds the domain's lock, so other callers wait too: keep {@code max} short. By
     * default a driver without job events just waits.
     */
    default JobInfo awaitJobInfo(DomainInfo dom, java.time.Duration max) {
        if (jobActive(dom)) {
            try {
                Thread.sleep(max.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return jobInfo(dom, false);
    }

    /** Aborts the current job: push targets are deleted, a pull backup ends. */
    void abort(DomainInfo dom);
}
