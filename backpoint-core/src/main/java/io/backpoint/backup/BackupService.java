package io.backpoint.backup;

import io.backpoint.checkpoint.CheckpointService;
import io.backpoint.driver.BackupMechanics;
import io.backpoint.driver.DomainInfo;
import io.backpoint.driver.DomainLock;
import io.backpoint.driver.Driver;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.BackupDef;
import io.backpoint.model.BackupDiskDef;
import io.backpoint.model.BackupDiskMode;
import io.backpoint.model.CheckpointDef;
import io.backpoint.vocab.BackupBeginFlag;
import io.backpoint.vocab.JobInfo;
import io.backpoint.xml.BackupXml;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * libvirt's backup API over any driver: the checks and alignment of virDomainBackupBegin, in
 * libvirt's order, then the driver's mechanics; the job's XML, statistics and abort.
 */
public final class BackupService {
    private final Driver driver;
    private final CheckpointService checkpoints;

    public BackupService(Driver driver, CheckpointService checkpoints) {
        this.driver = driver;
        this.checkpoints = checkpoints;
    }

    /** virDomainBackupBegin; returns the job's id (see {@link #outcome}). */
    public String begin(String domain, String backupXml, String checkpointXml, Set<BackupBeginFlag> flags) {
        BackupMechanics mech = driver.backups("virDomainBackupBegin");
        if (backupXml == null) {
            throw new BackpointException(ErrorCode.INVALID_ARG, "backupXML in virDomainBackupBegin must not be NULL");
        }
        try (DomainLock lock = driver.lock(domain)) {
            DomainInfo dom = requireDomain(domain);
            BackupDef def = BackupXml.parse(backupXml, EnumSet.noneOf(io.backpoint.xml.BackupParseFlag.class));
            if (!dom.active()) {
                throw new BackpointException(ErrorCode.OPERATION_UNSUPPORTED,
                        "cannot perform disk backup for inactive domain");
            }
            CheckpointDef checkpoint = checkpointXml == null ? null : checkpoints.prepareForBackup(dom, checkpointXml);
            String suffix = checkpoint != null ? checkpoint.name()
                    : Long.toString(driver.clock().instant().getEpochSecond());
            BackupDef aligned = BackupAlign.align(def, driver.definition(domain), suffix);
            if (mech.jobActive(dom)) {
                throw new BackpointException(ErrorCode.OPERATION_INVALID, "another backup job is already running");
            }
            if (aligned.backedUpDisks().isEmpty()) {
                throw new BackpointException(ErrorCode.CONFIG_UNSUPPORTED, "no disks selected for backup");
            }
            Map<String, CheckpointDef> from = new LinkedHashMap<>();
            for (BackupDiskDef disk : aligned.backedUpDisks()) {
                if (disk.backupmode() != BackupDiskMode.INCREMENTAL) {
                    continue;
                }
                CheckpointDef base = checkpoints.find(domain, disk.incremental());
                if (base == null) {
                    throw BackpointException.of(ErrorCode.NO_DOMAIN_CHECKPOINT,
                            "Checkpoint '%s' for incremental backup of disk '%s' not found", disk.incremental(), disk.name());
                }
                from.put(base.name(), base);
            }
            // Only the bitmaps the backup reads must be good, as in libvirt: a disk taken full
            // while its bitmap of the same checkpoint is broken does not stop the others.
            Map<String, Map<String, String>> broken = driver.checkpoints().brokenBitmaps(dom, new ArrayList<>(from.values()));
            for (BackupDiskDef disk : aligned.backedUpDisks()) {
                String problem = disk.backupmode() != BackupDiskMode.INCREMENTAL ? null
                        : broken.getOrDefault(disk.incremental(), Map.of()).get(disk.name());
                if (problem != null) {
                    throw new BackpointException(ErrorCode.CHECKPOINT_INCONSISTENT, problem);
                }
            }
            Runnable commit = checkpoint == null ? () -> { } : () -> checkpoints.commitCreated(domain, checkpoint);
            return mech.begin(dom, aligned, checkpoint, from, flags.contains(BackupBeginFlag.REUSE_EXTERNAL),
                    flags.contains(BackupBeginFlag.QUIESCE), commit);
        }
    }

    /** virDomainBackupGetXMLDesc: the running job with every default filled in. */
    public String xml(String domain) {
        BackupMechanics mech = driver.backups("virDomainBackupGetXMLDesc");
        try (DomainLock lock = driver.lock(domain)) {
            BackupDef current = mech.current(requireDomain(domain));
            if (current == null) {
                throw new BackpointException(ErrorCode.NO_DOMAIN_BACKUP, "no domain backup job present");
            }
            return BackupXml.format(current, false);
        }
    }

    /** virDomainGetJobStats for a backup job; with completed, the last ended job. */
    public JobInfo jobInfo(String domain, boolean completed) {
        return jobInfo(domain, completed, false);
    }

    /** virDomainGetJobStats; {@code keepCompleted} is VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED. */
    public JobInfo jobInfo(String domain, boolean completed, boolean keepCompleted) {
        BackupMechanics mech;
        try {
            mech = driver.backups("virDomainGetJobStats");
        } catch (BackpointException e) {
            // A driver without backups has no jobs to report, as libvirt's test driver.
            return JobInfo.NONE;
        }
        try (DomainLock lock = driver.lock(domain)) {
            return mech.jobInfo(requireDomain(domain), completed, keepCompleted);
        }
    }

    /**
     * How the job with this id ended, even when another caller has read (and so discarded) the
     * completed statistics: what a caller that began a job and waits for it needs. NONE while
     * it runs or when unknown.
     */
    public JobInfo outcome(String domain, String jobId) {
        BackupMechanics mech = driver.backups("virDomainGetJobStats");
        try (DomainLock lock = driver.lock(domain)) {
            return mech.outcome(requireDomain(domain), jobId);
        }
    }

    /** The current job's statistics after waiting up to {@code max} for it to make a step (see {@link BackupMechanics#awaitJobInfo}). */
    public JobInfo awaitJobInfo(String domain, java.time.Duration max) {
        BackupMechanics mech = driver.backups("virDomainGetJobStats");
        try (DomainLock lock = driver.lock(domain)) {
            return mech.awaitJobInfo(requireDomain(domain), max);
        }
    }

    /** virDomainAbortJob for a backup job. */
    public void abort(String domain) {
        BackupMechanics mech = driver.backups("virDomainAbortJob");
        try (DomainLock lock = driver.lock(domain)) {
            DomainInfo dom = requireDomain(domain);
            if (!mech.jobActive(dom)) {
                throw new BackpointException(ErrorCode.OPERATION_INVALID, "no job is active on the domain");
            }
            mech.abort(dom);
        }
    }

    private DomainInfo requireDomain(String domain) {
        DomainInfo dom = driver.domain(domain);
        if (dom == null) {
            throw BackpointException.of(ErrorCode.NO_DOMAIN, "no domain with matching name '%s'", domain);
        }
        return dom;
    }

}
