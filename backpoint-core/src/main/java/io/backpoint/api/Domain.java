package io.backpoint.api;

import io.backpoint.driver.DomainInfo;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.vocab.BackupBeginFlag;
import io.backpoint.vocab.BlockJobInfo;
import io.backpoint.vocab.BlockJobInfoFlag;
import io.backpoint.vocab.BlockPullFlag;
import io.backpoint.vocab.CheckpointCreateFlag;
import io.backpoint.vocab.CheckpointListFlag;
import io.backpoint.vocab.DomainState;
import io.backpoint.vocab.JobInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A domain of a {@link Connection}, as libvirt's {@code virDomain}. A handle: state is read on each call. */
public final class Domain {
    private final Connection conn;
    private final String name;

    Domain(Connection conn, String name) {
        this.conn = conn;
        this.name = name;
    }

    public String name() {
        return name;
    }

    public Connection connection() {
        return conn;
    }

    public String uuid() {
        return info().uuid();
    }

    public DomainState state() {
        return info().state();
    }

    /** Why the domain is in its state, as virsh's {@code domstate --reason} prints it ("user" when paused by a user). */
    public String stateReason() {
        return info().reason();
    }

    /** The runtime id, or -1 when not running. */
    public int id() {
        return info().id();
    }

    public boolean persistent() {
        return info().persistent();
    }

    /** The domain XML as virsh dumpxml prints it. */
    public String xmlDesc(boolean secure, boolean inactive) {
        return conn.hypervisor().domainXml(name, secure, inactive);
    }

    /** virDomainCreate: starts the domain. */
    public void start() {
        conn.hypervisor().lifecycle("virDomainCreate").start(name);
    }

    /** virDomainDestroy: stops the domain (QEMU quits cleanly first, saving its bitmaps). */
    public void destroy() {
        conn.hypervisor().lifecycle("virDomainDestroy").destroy(name);
    }

    /** virDomainShutdown: asks the guest to power off. */
    public void shutdown() {
        conn.hypervisor().lifecycle("virDomainShutdown").shutdown(name);
    }

    /** virDomainUndefineFlags, with or without VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA. */
    public void undefine(boolean checkpointsMetadata) {
        conn.hypervisor().undefine(name, checkpointsMetadata);
    }

    /** virDomainQemuMonitorCommand: QMP JSON in and out, or an HMP command line. */
    public String monitorCommand(String command, boolean hmp) {
        return conn.hypervisor().lifecycle("virDomainQemuMonitorCommand").monitorCommand(name, command, hmp);
    }

    /**
     * virDomainBackupBegin: starts a push or pull backup, optionally creating a checkpoint at the
     * same instant. Returns the job's id for {@link #jobOutcome}, or null where the hypervisor
     * names no jobs (libvirtd).
     */
    public String backupBegin(String backupXml, String checkpointXml, Set<BackupBeginFlag> flags) {
        return conn.hypervisor().backupBegin(name, backupXml, checkpointXml, flags);
    }

    public String backupBegin(String backupXml, String checkpointXml, int flags) {
        return backupBegin(backupXml, checkpointXml, BackupBeginFlag.fromMask(flags));
    }

    /**
     * The statistics of the backup job {@link #backupBegin} returned this id for, once it ended,
     * even if another caller read the completed statistics first; NONE while it runs or when
     * unknown (another job has ended since).
     */
    public JobInfo jobOutcome(String jobId) {
        return conn.hypervisor().jobOutcome(name, jobId);
    }

    /** virDomainBackupGetXMLDesc: NO_DOMAIN_BACKUP when no backup job is active. */
    public String backupXmlDesc() {
        return conn.hypervisor().backupXml(name);
    }

    /** virDomainGetJobStats: the current job, or with completed the last ended one. */
    public JobInfo jobInfo(boolean completed) {
        return conn.hypervisor().jobInfo(name, completed, false);
    }

    /**
     * virDomainGetJobStats with VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED as {@code keepCompleted}: without
     * it, reading a completed job's statistics discards them, as in libvirt.
     */
    public JobInfo jobInfo(boolean completed, boolean keepCompleted) {
        return conn.hypervisor().jobInfo(name, completed, keepCompleted);
    }

    /**
     * Beyond libvirt: {@link #jobInfo(boolean) jobInfo(false)} after waiting up to {@code max}
     * for the current job to make a step (a part of it ending), so a caller waiting for the end
     * need not poll; NONE at once when no job runs.
     */
    public JobInfo awaitJobInfo(java.time.Duration max) throws InterruptedException {
        return conn.hypervisor().awaitJobInfo(name, max);
    }

    /** virDomainAbortJob. */
    public void abortJob() {
        conn.hypervisor().abortJob(name);
    }

    /**
     * virDomainBlockPull: fills the disk's top image from its backing chain in the background,
     * then drops the chain. {@code bandwidth} is MiB/s (bytes/s with BANDWIDTH_BYTES), 0 for no
     * limit; watch it with {@link #blockJobInfo}.
     */
    public void blockPull(String disk, long bandwidth, Set<BlockPullFlag> flags) {
        if (bandwidth < 0) {
            throw BackpointException.invalidArg("bandwidth must be non-negative, got %d", bandwidth);
        }
        long bytes = flags.contains(BlockPullFlag.BANDWIDTH_BYTES) ? bandwidth : Math.multiplyExact(bandwidth, 1L << 20);
        conn.hypervisor().blockJobs("virDomainBlockPull").pull(name, disk, bytes);
    }

    public void blockPull(String disk, long bandwidth, int flags) {
        blockPull(disk, bandwidth, BlockPullFlag.fromMask(flags));
    }

    /** virDomainBlockPull with no bandwidth limit and no flags. */
    public void blockPull(String disk, int flags) {
        blockPull(disk, 0, flags);
    }

    /**
     * virDomainGetBlockJobInfo: the disk's running block job (bandwidth in MiB/s, bytes/s with
     * BANDWIDTH_BYTES), empty when there is none (libvirt's return value 0).
     */
    public Optional<BlockJobInfo> blockJobInfo(String disk, Set<BlockJobInfoFlag> flags) {
        Optional<BlockJobInfo> info = conn.hypervisor().blockJobs("virDomainGetBlockJobInfo").info(name, disk);
        if (flags.contains(BlockJobInfoFlag.BANDWIDTH_BYTES)) {
            return info;
        }
        return info.map(i -> new BlockJobInfo(i.type(), i.bandwidth() >> 20, i.cur(), i.end()));
    }

    public Optional<BlockJobInfo> blockJobInfo(String disk, int flags) {
        return blockJobInfo(disk, BlockJobInfoFlag.fromMask(flags));
    }

    public Optional<BlockJobInfo> blockJobInfo(String disk) {
        return blockJobInfo(disk, 0);
    }

    /** virDomainCheckpointCreateXML. */
    public Checkpoint createCheckpoint(String xml, Set<CheckpointCreateFlag> flags) {
        return new Checkpoint(this, conn.hypervisor().checkpointCreate(name, xml, flags));
    }

    public Checkpoint createCheckpoint(String xml, int flags) {
        return createCheckpoint(xml, CheckpointCreateFlag.fromMask(flags));
    }

    /** virDomainCheckpointLookupByName: NO_DOMAIN_CHECKPOINT when absent. */
    public Checkpoint checkpoint(String checkpointName) {
        conn.hypervisor().requireCheckpoint(name, checkpointName);
        return new Checkpoint(this, checkpointName);
    }

    /**
     * Checkpoint metadata that could not be used, by file name and reason (damaged or foreign
     * files, missing parents); such files are left untouched. Empty when all is well.
     */
    public List<String> checkpointMetadataProblems() {
        return conn.hypervisor().checkpointMetadataProblems(name);
    }

    /** virDomainListAllCheckpoints. */
    public List<Checkpoint> listCheckpoints(Set<CheckpointListFlag> flags) {
        if (flags.contains(CheckpointListFlag.DESCENDANTS)) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "DESCENDANTS applies to a checkpoint's children; use ROOTS here");
        }
        return wrap(conn.hypervisor().checkpointList(name, null, flags));
    }

    public List<Checkpoint> listCheckpoints(int flags) {
        return listCheckpoints(CheckpointListFlag.forDomain(flags));
    }

    List<Checkpoint> wrap(List<String> names) {
        List<Checkpoint> out = new ArrayList<>(names.size());
        for (String n : names) {
            out.add(new Checkpoint(this, n));
        }
        return out;
    }

    DomainInfo info() {
        DomainInfo info = conn.hypervisor().domain(name);
        if (info == null) {
            throw BackpointException.noDomain(name);
        }
        return info;
    }

    @Override
    public String toString() {
        return "Domain[" + name + "]";
    }
}
