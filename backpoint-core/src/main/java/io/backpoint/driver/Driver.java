package io.backpoint.driver;

import io.backpoint.model.DomainDef;
import java.time.Clock;
import java.util.List;

/**
 * What a hypervisor driver provides to the core: its domains, their definitions, a lock per
 * domain, where checkpoint metadata lives, and the checkpoint mechanics. Drivers hold mechanics
 * only; the checkpoint tree, alignment, redefine checks and metadata handling live in the core.
 */
public interface Driver extends AutoCloseable {
    /** The URI this driver was opened with, normalised. */
    String uri();

    /** The clock that sets creation times and default names. */
    Clock clock();

    /** Every domain the driver knows, in a stable order. */
    List<DomainInfo> listDomains();

    /** The domain with this exact name, or null. Implementations may reconcile its state first. */
    DomainInfo domain(String name);

    /** The domain's current definition (the live one when running). */
    DomainDef definition(String name);

    /** The domain's XML as {@code virsh dumpxml} prints it. */
    String domainXml(String name, boolean secure, boolean inactive);

    /** Takes the domain's exclusive lock; two callers, even in different processes, never interleave on a domain. */
    DomainLock lock(String name);

    /** Where the domain's checkpoint metadata is kept. */
    CheckpointStore checkpointStore(String name);

    /** The driver's checkpoint mechanics. */
    CheckpointMechanics checkpoints();

    /** Domain lifecycle operations, or NO_SUPPORT when the driver has none (test driver). */
    default DomainLifecycle lifecycle(String function) {
        throw new io.backpoint.error.BackpointException(io.backpoint.error.ErrorCode.NO_SUPPORT, function);
    }

    /** Backup mechanics, or NO_SUPPORT when the driver has none (test driver, as libvirt's). */
    default BackupMechanics backups(String function) {
        throw new io.backpoint.error.BackpointException(io.backpoint.error.ErrorCode.NO_SUPPORT, function);
    }

    /** Block jobs (virDomainBlockPull, virDomainGetBlockJobInfo), or NO_SUPPORT naming {@code function}. */
    default BlockJobs blockJobs(String function) {
        throw new io.backpoint.error.BackpointException(io.backpoint.error.ErrorCode.NO_SUPPORT, function);
    }

    @Override
    default void close() {}
}
