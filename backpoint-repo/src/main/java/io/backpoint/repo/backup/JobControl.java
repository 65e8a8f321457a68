package io.backpoint.repo.backup;

import io.backpoint.api.Domain;
import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.BackupDef;
import io.backpoint.model.BackupMode;
import io.backpoint.xml.BackupXml;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The domain's backup job as the repository backup sees it: ending its own pull job (abortJob is
 * how a pull backup ends) and, before a new backup, the job a killed backup process left running.
 * Such a job is recognised by its socket in one of this domain's work directories whose owner
 * lock is free; a job of a backup still running, or anyone else's, is never touched.
 */
final class JobControl {
    /** How long an aborted job may take to end: QEMU cancels and tears down within seconds. */
    private static final Duration END_TIMEOUT = Duration.ofSeconds(120);

    private JobControl() {
    }

    /** Aborts a job left by a killed backup of this domain, and deletes its leftovers. */
    static void clearAbandoned(Domain dom, Path tmp, Consumer<String> notes) {
        JobInfo job = dom.jobInfo(false);
        if (job.type() != JobType.NONE && !job.ended()) {
            String xml;
            try {
                xml = dom.backupXmlDesc();
            } catch (BackpointException e) {
                if (e.code() != ErrorCode.NO_DOMAIN_BACKUP) {
                    throw e;
                }
                xml = null; // ended in the meantime
            }
            if (xml != null) {
                BackupDef def = BackupXml.parseJob(xml);
                String socket = def.mode() == BackupMode.PULL && def.server() != null ? def.server().socket() : null;
                Path sock = socket == null ? null : Path.of(socket);
                if (sock == null || !WorkDir.ours(sock, dom.uuid())) {
                    throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                            "domain '%s' has a backup job that is not a repository backup; end it first "
                                    + "(backpoint domjobabort %s)", dom.name(), dom.name());
                }
                if (!WorkDir.abandoned(sock.getParent())) {
                    throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                            "domain '%s' is being backed up by another backpoint process; wait for it to end",
                            dom.name());
                }
                notes.accept("ending the backup job a killed backup left running");
                end(dom);
            }
        }
        WorkDir.sweep(tmp, dom.uuid());
    }

    /** Ends the running job (a pull backup ends only by abort) and waits until it has. */
    static void end(Domain dom) {
        try {
            dom.abortJob();
        } catch (BackpointException e) {
            if (e.code() != ErrorCode.OPERATION_INVALID) {
                throw e;
            }
            return; // no job any more
        }
        Steps.reach(Steps.JOB_ABORTED);
        long deadline = System.nanoTime() + END_TIMEOUT.toNanos();
        long pause = 5;
        while (true) {
            JobInfo now = dom.jobInfo(false);
            if (now.type() == JobType.NONE || now.ended()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw BackpointException.of(ErrorCode.OPERATION_FAILED,
                        "the backup job of domain '%s' did not end within %d s of being aborted", dom.name(),
                        END_TIMEOUT.toSeconds());
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw BackpointException.of(ErrorCode.OPERATION_FAILED, "interrupted while ending the backup job");
            }
            pause = Math.min(200, pause * 2);
        }
    }

    /** A pull job that ended early (scratch full, QEMU error) stops its exports: the data read is then suspect. */
    static void requireRunning(Domain dom) {
        JobInfo now = dom.jobInfo(false);
        if (now.type() == JobType.NONE || now.ended()) {
            throw BackpointException.of(ErrorCode.OPERATION_FAILED,
                    "the backup job of domain '%s' ended before the snapshot was complete%s", dom.name(),
                    now.errorMessage() == null ? "" : ": " + now.errorMessage());
        }
    }
}
