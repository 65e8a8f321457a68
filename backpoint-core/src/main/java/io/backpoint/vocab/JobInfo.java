package io.backpoint.vocab;

/**
 * A backup job's statistics, as libvirt's virDomainGetJobStats reports them for a backup.
 *
 * @param type UNBOUNDED while the job runs; COMPLETED, FAILED or CANCELLED when it has ended; NONE
 * @param operation libvirt's virDomainJobOperation number: 9 for a backup, 0 when there is no job
 * @param timeElapsedMillis time since the job began
 * @param dataTotal push: bytes to copy (0 when unknown)
 * @param dataProcessed push: bytes copied
 * @param tempUsed pull: bytes of scratch space used by copy-before-write
 * @param tempTotal pull: scratch space available
 * @param errorMessage the first error a sub-job reported, or null
 */
public record JobInfo(
        JobType type,
        int operation,
        long timeElapsedMillis,
        long dataTotal,
        long dataProcessed,
        long tempUsed,
        long tempTotal,
        String errorMessage) {

    /** libvirt's VIR_DOMAIN_JOB_OPERATION_BACKUP. */
    public static final int OPERATION_BACKUP = 9;

    public static final JobInfo NONE = new JobInfo(JobType.NONE, 0, 0, 0, 0, 0, 0, null);

    public long dataRemaining() {
        return Math.max(0, dataTotal - dataProcessed);
    }

    /** Whether the job has ended (with any outcome). */
    public boolean ended() {
        return type == JobType.COMPLETED || type == JobType.FAILED || type == JobType.CANCELLED;
    }
}
