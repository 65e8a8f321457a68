package io.backpoint.qemu.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.util.AtomicFiles;
import io.backpoint.util.IoErrors;
import io.backpoint.util.OwnerOnly;
import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import io.backpoint.xml.BackupParseFlag;
import io.backpoint.xml.BackupXml;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import io.backpoint.qemu.domain.DomainFiles;
import java.nio.file.Path;
import java.util.EnumSet;

/**
 * A domain's backup files in ROOT/backup/NAME: {@code job.xml}, the record of the job that runs
 * (the internal backup XML), and {@code completed.json}, the statistics of the last job that
 * ended. Both are replaced atomically, so a crash leaves the old or the new content.
 */
final class BackupJobStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DomainFiles files;
    private final Path dir;

    BackupJobStore(DomainFiles files) {
        this.files = files;
        this.dir = files.backupDir();
    }

    Path jobFile() {
        return files.backupJob();
    }

    /** The running job's record, or null. A damaged record is an error naming the file, never ignored. */
    BackupJob load() {
        Path file = jobFile();
        // Every writer holds the domain's lock, as this reader does: a temporary file seen now
        // was left by one that was killed.
        AtomicFiles.removeLeftovers(file);
        AtomicFiles.removeLeftovers(files.backupCompleted());
        AtomicFiles.removeLeftovers(files.backupOutcome());
        if (!Files.exists(file)) {
            return null;
        }
        try {
            String xml = Files.readString(file, StandardCharsets.UTF_8);
            return BackupJob.fromDef(BackupXml.parse(xml, EnumSet.of(BackupParseFlag.INTERNAL)));
        } catch (IOException | IllegalArgumentException | BackpointException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot read backup job record '" + file + "': " + e.getMessage(), e);
        }
    }

    void save(BackupJob job) {
        try {
            OwnerOnly.createDirectories(dir);
            AtomicFiles.write(jobFile(), BackupXml.format(job.toDef(), true));
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot write backup job record '" + jobFile() + "': " + IoErrors.reason(e), e);
        }
    }

    void delete() {
        try {
            AtomicFiles.delete(jobFile());
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot remove backup job record '" + jobFile() + "': " + IoErrors.reason(e), e);
        }
    }

    /** Removes the job record, the completed statistics and the directory (undefine). */
    void deleteAll() {
        try {
            AtomicFiles.delete(jobFile());
            AtomicFiles.delete(files.backupCompleted());
            AtomicFiles.delete(files.backupOutcome());
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot remove backup files in '" + dir + "': " + IoErrors.reason(e), e);
        }
    }

    /** Saves an ended job's statistics: as the completed job's, and as the outcome of job {@code id}. */
    void saveCompleted(JobInfo info, String id) {
        ObjectNode o = JSON.createObjectNode()
                .put("type", info.type().name())
                .put("operation", info.operation())
                .put("timeElapsed", info.timeElapsedMillis())
                .put("dataTotal", info.dataTotal())
                .put("dataProcessed", info.dataProcessed())
                .put("tempUsed", info.tempUsed())
                .put("tempTotal", info.tempTotal());
        if (info.errorMessage() != null) {
            o.put("errmsg", info.errorMessage());
        }
        if (id != null) {
            o.put("id", id);
        }
        try {
            OwnerOnly.createDirectories(dir);
            // The outcome first: a waiter must never find the job gone and its outcome not yet there.
            AtomicFiles.write(files.backupOutcome(), o.toString() + "\n");
            AtomicFiles.write(files.backupCompleted(), o.toString() + "\n");
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot write completed job statistics in '" + dir + "': " + IoErrors.reason(e), e);
        }
    }

    /** The statistics of job {@code id} if it is the last that ended, else NONE. Never discarded. */
    JobInfo outcome(String id) {
        Path file = files.backupOutcome();
        if (!Files.exists(file)) {
            return JobInfo.NONE;
        }
        try {
            JsonNode o = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            return id.equals(o.path("id").asText(null)) ? info(o) : JobInfo.NONE;
        } catch (IOException | IllegalArgumentException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot read job outcome '" + file + "': " + e.getMessage(), e);
        }
    }

    private static JobInfo info(JsonNode o) {
        return new JobInfo(JobType.valueOf(o.path("type").asText()), o.path("operation").asInt(),
                o.path("timeElapsed").asLong(), o.path("dataTotal").asLong(), o.path("dataProcessed").asLong(),
                o.path("tempUsed").asLong(), o.path("tempTotal").asLong(),
                o.hasNonNull("errmsg") ? o.get("errmsg").asText() : null);
    }

    /** The last ended job's statistics, or NONE; discarded after reading unless {@code keep}. */
    JobInfo completed(boolean keep) {
        Path file = files.backupCompleted();
        if (!Files.exists(file)) {
            return JobInfo.NONE;
        }
        JobInfo info;
        try {
            JsonNode o = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            info = info(o);
            if (!keep) {
                AtomicFiles.delete(file);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot read completed job statistics '" + file + "': " + e.getMessage(), e);
        }
        return info;
    }
}
