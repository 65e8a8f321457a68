package io.backpoint.api;

import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.CheckpointXmlFlag;
import io.backpoint.vocab.CheckpointListFlag;
import io.backpoint.vocab.CheckpointDeleteFlag;
import io.backpoint.vocab.CheckpointCreateFlag;
import io.backpoint.vocab.BackupBeginFlag;
import io.backpoint.backup.BackupService;
import io.backpoint.checkpoint.CheckpointService;
import io.backpoint.driver.DomainInfo;
import io.backpoint.driver.DomainLifecycle;
import io.backpoint.driver.BlockJobs;
import io.backpoint.driver.Driver;
import io.backpoint.driver.Hypervisor;
import io.backpoint.model.CheckpointDef;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The core's engine: Backpoint's checkpoint and backup semantics over a driver's mechanics. */
final class EngineHypervisor implements Hypervisor {
    private final Driver driver;
    private final CheckpointService checkpoints;
    private final BackupService backups;

    EngineHypervisor(Driver driver) {
        this.driver = driver;
        this.checkpoints = new CheckpointService(driver);
        this.backups = new BackupService(driver, checkpoints);
    }

    @Override
    public String uri() {
        return driver.uri();
    }

    @Override
    public List<DomainInfo> listDomains() {
        return driver.listDomains();
    }

    @Override
    public DomainInfo domain(String name) {
        return driver.domain(name);
    }

    @Override
    public String domainXml(String name, boolean secure, boolean inactive) {
        return driver.domainXml(name, secure, inactive);
    }

    @Override
    public DomainLifecycle lifecycle(String function) {
        return driver.lifecycle(function);
    }

    @Override
    public void undefine(String name, boolean checkpointsMetadata) {
        driver.lifecycle("virDomainUndefineFlags").undefine(name, checkpointsMetadata);
        checkpoints.forget(name);
    }

    @Override
    public String checkpointCreate(String domain, String xml, Set<CheckpointCreateFlag> flags) {
        return checkpoints.create(domain, xml, flags);
    }

    @Override
    public void requireCheckpoint(String domain, String name) {
        checkpoints.requireCheckpoint(domain, name);
    }

    @Override
    public List<String> checkpointList(String domain, String from, Set<CheckpointListFlag> flags) {
        return checkpoints.list(domain, from, flags);
    }

    @Override
    public String checkpointParent(String domain, String name) {
        return checkpoints.parent(domain, name);
    }

    @Override
    public CheckpointDef checkpointDefinition(String domain, String name) {
        return checkpoints.definition(domain, name);
    }

    @Override
    public String checkpointXml(String domain, String name, Set<CheckpointXmlFlag> flags) {
        return checkpoints.xml(domain, name, flags);
    }

    @Override
    public void checkpointDelete(String domain, String name, Set<CheckpointDeleteFlag> flags) {
        checkpoints.delete(domain, name, flags);
    }

    @Override
    public Map<String, String> checkpointProblems(String domain, String name) {
        return checkpoints.problems(domain, name);
    }

    @Override
    public List<String> checkpointMetadataProblems(String domain) {
        return checkpoints.problems(domain);
    }

    @Override
    public String backupBegin(String domain, String backupXml, String checkpointXml, Set<BackupBeginFlag> flags) {
        return backups.begin(domain, backupXml, checkpointXml, flags);
    }

    @Override
    public JobInfo jobOutcome(String domain, String jobId) {
        return backups.outcome(domain, jobId);
    }

    @Override
    public String backupXml(String domain) {
        return backups.xml(domain);
    }

    @Override
    public JobInfo jobInfo(String domain, boolean completed, boolean keepCompleted) {
        return backups.jobInfo(domain, completed, keepCompleted);
    }

    @Override
    public JobInfo awaitJobInfo(String domain, java.time.Duration max) {
        return backups.awaitJobInfo(domain, max);
    }

    @Override
    public void abortJob(String domain) {
        backups.abort(domain);
    }

    @Override
    public BlockJobs blockJobs(String function) {
        return driver.blockJobs(function);
    }

    @Override
    public Driver driver() {
        return driver;
    }

    @Override
    public void close() {
        driver.close();
    }
}
