package io.backpoint.qemu.blockjob;

import com.fasterxml.jackson.databind.JsonNode;
import io.backpoint.driver.BlockJobs;
import io.backpoint.driver.DomainLock;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.DomainDiskDef;
import io.backpoint.qemu.driver.QemuDriver;
import io.backpoint.qemu.driver.QmpSessions;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.vocab.BlockJobInfo;
import io.backpoint.vocab.BlockJobType;
import java.io.IOException;
import java.util.Optional;

/**
 * Block pull on the daemonless driver: QEMU's {@code block-stream} under the domain's lock.
 * The job lives in QEMU, not in this process, so {@link #info} from any later call sees it; a job
 * that concluded is dismissed by the first call that reads it.
 */
public final class QemuBlockJobs implements BlockJobs {
    private final QemuDriver driver;

    public QemuBlockJobs(QemuDriver driver) {
        this.driver = driver;
    }

    @Override
    public void pull(String domain, String disk, long bandwidth) {
        try (DomainLock lock = driver.lock(domain); QmpClient qmp = driver.monitor(domain)) {
            String target = target(domain, disk);
            Optional<PullJobState> job = PullJobState.find(PullPlanner.query().runOn(qmp), target);
            if (job.isPresent()) {
                if (!job.get().concluded()) {
                    throw BackpointException.of(ErrorCode.OPERATION_INVALID, "disk '%s' already in active block job", target);
                }
                PullPlanner.dismiss(target).runOn(qmp);
            }
            PullPlanner.start(target, bandwidth).runOn(qmp);
        } catch (IOException e) {
            throw QmpSessions.translate("block-stream", e);
        }
    }

    @Override
    public Optional<BlockJobInfo> info(String domain, String disk) {
        try (DomainLock lock = driver.lock(domain); QmpClient qmp = driver.monitor(domain)) {
            String target = target(domain, disk);
            JsonNode jobs = PullPlanner.query().runOn(qmp);
            Optional<PullJobState> job = PullJobState.find(jobs, target);
            if (job.isEmpty()) {
                return Optional.empty();
            }
            PullJobState j = job.get();
            if (!j.concluded()) {
                return Optional.of(new BlockJobInfo(BlockJobType.PULL, j.speed(), j.offset(), j.length()));
            }
            PullPlanner.dismiss(target).runOn(qmp);
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

    private String target(String domain, String disk) {
        DomainDiskDef d = driver.definition(domain).diskByName(disk);
        if (d == null) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "disk '%s' not found in domain", disk);
        }
        return d.targetDev();
    }
}
