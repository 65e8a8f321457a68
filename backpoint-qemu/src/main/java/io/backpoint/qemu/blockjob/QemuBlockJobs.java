package io.backpoint.qemu.blockjob;

import com.fasterxml.jackson.databind.JsonNode;
import io.backpoint.driver.BlockJobs;
import io.backpoint.driver.DomainLock;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.DomainDiskDef;
import io.backpoint.qemu.domain.QemuDomain;
import io.backpoint.qemu.domain.QemuDomains;
import io.backpoint.qemu.domain.QmpSessions;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.vocab.BlockJobInfo;
import io.backpoint.vocab.BlockJobType;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Function;

/**
 * Block pull on the daemonless driver: QEMU's {@code block-stream} under the domain's lock.
 * The job lives in QEMU, not in this process, so {@link #info} from any later call sees it; a job
 * that concluded is dismissed by the first call that reads it.
 */
public final class QemuBlockJobs implements BlockJobs {
    private final Function<String, DomainLock> locks;
    private final QemuDomains domains;

    /** @param locks the driver's domain lock, taken around each call; {@code domains} its seams */
    public QemuBlockJobs(Function<String, DomainLock> locks, QemuDomains domains) {
        this.locks = locks;
        this.domains = domains;
    }

    @Override
    public void pull(String domain, String disk, long bandwidth) {
        try (DomainLock lock = locks.apply(domain)) {
            QemuDomain seam = domains.get(domain);
            String target = target(seam, disk);
            QmpClient qmp = seam.qmp();
            Optional<PullJobState> job = PullJobState.find(qmp.execute(PullPlanner.query()), target);
            if (job.isPresent()) {
                if (!job.get().concluded()) {
                    throw BackpointException.of(ErrorCode.OPERATION_INVALID, "disk '%s' already in active block job", target);
                }
                qmp.execute(PullPlanner.dismiss(target));
            }
            qmp.execute(PullPlanner.start(target, bandwidth));
        } catch (IOException e) {
            throw QmpSessions.translate("block-stream", e);
        }
    }

    @Override
    public Optional<BlockJobInfo> info(String domain, String disk) {
        try (DomainLock lock = locks.apply(domain)) {
            QemuDomain seam = domains.get(domain);
            String target = target(seam, disk);
            QmpClient qmp = seam.qmp();
            JsonNode jobs = qmp.execute(PullPlanner.query());
            Optional<PullJobState> job = PullJobState.find(jobs, target);
            if (job.isEmpty()) {
                return Optional.empty();
            }
            PullJobState j = job.get();
            if (!j.concluded()) {
                return Optional.of(new BlockJobInfo(BlockJobType.PULL, j.speed(), j.offset(), j.length()));
            }
            qmp.execute(PullPlanner.dismiss(target));
            if (j.error() != null) {
                // libvirt would only emit an event; without a daemon to hold it, the reader is told.
                throw BackpointException.of(ErrorCode.OPERATION_FAILED, "block pull of disk '%s' failed: %s", target,
                        j.error());
            }
            return Optional.empty();
        } catch (IOException e) {
            throw QmpSessions.translate("query-block-jobs", e);
        }
    }

    private static String target(QemuDomain seam, String disk) {
        DomainDiskDef d = seam.definition().diskByName(disk);
        if (d == null) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "disk '%s' not found in domain", disk);
        }
        return d.targetDev();
    }
}
