package io.backpoint.qemu.domain;

import io.backpoint.qemu.process.QemuCommandLine;
import java.nio.file.Path;

/**
 * Every file of one domain outside its definition and checkpoint metadata, named in one place.
 *
 * <pre>
 * RUN/NAME.pid, NAME.qmp, NAME.log   QEMU's pid file, monitor socket and log (QemuCommandLine)
 * RUN/live.xml                       the running domain's definition, written at start
 * RUN/id                             its runtime id
 * RUN/backup-nbd.sock                a pull backup's default NBD socket
 * RUN/NAME.frozen                    says the guest may be frozen (written before a freeze, removed after the thaw)
 * BACKUP/job.xml                     the backup job record
 * BACKUP/completed.json              the last completed job's statistics (discarded once read)
 * BACKUP/outcome.json                the last ended job's statistics with its id (what a waiter reads)
 * </pre>
 *
 * @param runDir the run directory (exists while the domain runs)
 * @param backupDir the backup job's directory
 */
public record DomainFiles(String name, Path runDir, Path backupDir) {
    public Path pidFile() {
        return QemuCommandLine.pidFile(runDir, name);
    }

    public Path qmpSocket() {
        return QemuCommandLine.qmpSocket(runDir, name);
    }

    public Path logFile() {
        return QemuCommandLine.logFile(runDir, name);
    }

    public Path liveXml() {
        return runDir.resolve("live.xml");
    }

    public Path idFile() {
        return runDir.resolve("id");
    }

    public Path nbdSocket() {
        return runDir.resolve("backup-nbd.sock");
    }

    public Path frozenRecord() {
        return runDir.resolve(name + ".frozen");
    }

    public Path backupJob() {
        return backupDir.resolve("job.xml");
    }

    public Path backupCompleted() {
        return backupDir.resolve("completed.json");
    }

    public Path backupOutcome() {
        return backupDir.resolve("outcome.json");
    }
}
