package io.backpoint.driver;

import io.backpoint.vocab.BackupBeginFlag;
import io.backpoint.vocab.CheckpointCreateFlag;
import io.backpoint.vocab.CheckpointDeleteFlag;
import io.backpoint.vocab.CheckpointListFlag;
import io.backpoint.vocab.CheckpointXmlFlag;
import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import io.backpoint.model.CheckpointDef;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A connection's whole API, one libvirt call per method, behind the {@code Connection},
 * {@code Domain} and {@code Checkpoint} facade. Two kinds exist: the core's own engine, which
 * runs Backpoint's checkpoint tree and backup checks over a {@link Driver}'s mechanics, and a
 * driver that owns the semantics itself (libvirtd keeps the checkpoint tree), which delegates
 * every operation whole. Errors are {@code BackpointException}s.
 */
public interface Hypervisor extends AutoCloseable {
    /** The URI this connection was opened with, normalised. */
    String uri();

    /** Every domain, in a stable order. */
    List<DomainInfo> listDomains();

    /** The domain with this exact name, or null. */
    DomainInfo domain(String name);

    /** virDomainGetXMLDesc as {@code virsh dumpxml} prints it. */
    String domainXml(String name, boolean secure, boolean inactive);

    /** Domain lifecycle operations, NO_SUPPORT (naming {@code function}) when there are none. */
    DomainLifecycle lifecycle(String function);

    /** virDomainUndefineFlags, with or without VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA. */
    void undefine(String name, boolean checkpointsMetadata);

    /** virDomainCheckpointCreateXML; returns the new checkpoint's name. */
    String checkpointCreate(String domain, String xml, Set<CheckpointCreateFlag> flags);

    /** virDomainCheckpointLookupByName: NO_DOMAIN_CHECKPOINT when absent. */
    void requireCheckpoint(String domain, String name);

    /** virDomainListAllCheckpoints (from null) or virDomainCheckpointListAllChildren. */
    List<String> checkpointList(String domain, String from, Set<CheckpointListFlag> flags);

    /** virDomainCheckpointGetParent: the parent's name; NO_DOMAIN_CHECKPOINT for a root. */
    String checkpointParent(String domain, String name);

    /** The checkpoint's definition, parsed. */
    CheckpointDef checkpointDefinition(String domain, String name);

    /** virDomainCheckpointGetXMLDesc. */
    String checkpointXml(String domain, String name, Set<CheckpointXmlFlag> flags);

    /** virDomainCheckpointDelete. */
    void checkpointDelete(String domain, String name, Set<CheckpointDeleteFlag> flags);

    /**
     * Why the checkpoint cannot be used for a backup of each disk whose bitmap is broken, by disk
     * target in the checkpoint's order, each reason naming that disk's bitmap; empty when every
     * bitmap is usable or the hypervisor cannot tell.
     */
    default Map<String, String> checkpointProblems(String domain, String name) {
        return Map.of();
    }

    /** Checkpoint metadata that could not be used; empty when the hypervisor keeps its own. */
    default List<String> checkpointMetadataProblems(String domain) {
        return List.of();
    }

    /** virDomainBackupBegin. */
    String backupBegin(String domain, String backupXml, String checkpointXml, Set<BackupBeginFlag> flags);

    /**
     * The ended job's statistics for the id backupBegin returned, even when another caller read
     * the completed statistics first; a hypervisor without job ids (null) gives its completed
     * statistics, kept.
     */
    JobInfo jobOutcome(String domain, String jobId);

    /** virDomainBackupGetXMLDesc. */
    String backupXml(String domain);

    /** virDomainGetJobStats; {@code keepCompleted} is VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED. */
    JobInfo jobInfo(String domain, boolean completed, boolean keepCompleted);

    /**
     * Beyond libvirt: the current job's statistics after waiting up to {@code max} for it to
     * end, so a caller waiting for the end need not poll; NONE at once when no job runs. A
     * hypervisor without job events looks again and again within {@code max}, soon at first
     * (a short job is seen to end soon), then backing off.
     */
    default JobInfo awaitJobInfo(String domain, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        long pause = 10;
        JobInfo now = jobInfo(domain, false, false);
        while (now.type() != JobType.NONE) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return now;
            }
            Thread.sleep(Math.min(pause, left));
            pause = pause * 3 / 2 + 1;
            now = jobInfo(domain, false, false);
        }
        return now;
    }

    /** virDomainAbortJob. */
    void abortJob(String domain);

    /** Block jobs (virDomainBlockPull, virDomainGetBlockJobInfo), NO_SUPPORT (naming {@code function}) when there are none. */
    default BlockJobs blockJobs(String function) {
        throw new io.backpoint.error.BackpointException(io.backpoint.error.ErrorCode.NO_SUPPORT, function);
    }

    /** The engine's driver when this is the core's engine over one, else null. */
    default Driver driver() {
        return null;
    }

    @Override
    default void close() {}
}
