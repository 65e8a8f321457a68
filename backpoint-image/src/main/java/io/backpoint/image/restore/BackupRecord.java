package io.backpoint.image.restore;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.util.AtomicFiles;
import io.backpoint.util.CrashPoints;
import io.backpoint.util.IoErrors;
import io.backpoint.xml.XmlInput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * What restore needs to know about one push backup target, kept beside it as {@code <target>.json}:
 * which checkpoint the backup starts from and which it created, so that a chain of backups can be
 * checked for gaps and order before anything is rebuilt from it.
 *
 * @param version the record layout, {@link #VERSION}
 * @param domain the domain name
 * @param disk the disk's target dev (vda)
 * @param mode whether the target holds the whole disk or only what changed since {@code incremental}
 * @param checkpoint the checkpoint created together with this backup, or null when none was
 * @param incremental the checkpoint this backup was taken since; null exactly for a full backup
 * @param virtualSize the disk's size in bytes
 * @param format the target image's format
 * @param created when the backup started, in Unix seconds
 * @param backingFile the live disk an incremental qcow2 target names as its backing file, or null
 * @param size the target file's length in bytes when the job completed, or null (records of
 *     Backpoint before content checks, hand-written ones)
 * @param crc32c the CRC-32C of the target file's bytes when the job completed (8 lower-case hex
 *     digits), or null with {@code size}; see {@link FileContent}
 */
@JsonPropertyOrder({"version", "domain", "disk", "mode", "checkpoint", "incremental", "virtualSize", "format",
        "created", "backingFile", "size", "crc32c"})
public record BackupRecord(
        int version,
        String domain,
        String disk,
        Mode mode,
        String checkpoint,
        String incremental,
        long virtualSize,
        ImageFormat format,
        long created,
        String backingFile,
        Long size,
        String crc32c) {

    public static final int VERSION = 1;
    /** A record is a few hundred bytes; anything much bigger is not one. */
    private static final int MAX_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Full or incremental, spelled as in backup XML's {@code backupmode}. */
    public enum Mode {
        FULL("full"),
        INCREMENTAL("incremental");

        private final String spelling;

        Mode(String spelling) {
            this.spelling = spelling;
        }

        @JsonValue
        public String spelling() {
            return spelling;
        }

        @JsonCreator
        static Mode fromSpelling(String s) {
            for (Mode m : values()) {
                if (m.spelling.equals(s)) {
                    return m;
                }
            }
            throw new BackpointException(ErrorCode.INVALID_ARG, "unknown backup mode '" + s + "'");
        }
    }

    public BackupRecord {
        if (version != VERSION) {
            throw invalid("unsupported record version " + version + " (this Backpoint reads version " + VERSION + ")");
        }
        requireText("domain", domain);
        requireText("disk", disk);
        if (mode == null) {
            throw invalid("'mode' is missing");
        }
        if (format == null) {
            throw invalid("'format' is missing");
        }
        if (mode == Mode.FULL && incremental != null) {
            throw invalid("a full backup cannot be incremental since checkpoint '" + incremental + "'");
        }
        if (mode == Mode.INCREMENTAL && incremental == null) {
            throw invalid("an incremental backup needs the checkpoint it was taken since ('incremental')");
        }
        if (checkpoint != null && checkpoint.isEmpty()) {
            throw invalid("'checkpoint' is empty");
        }
        if (incremental != null && incremental.isEmpty()) {
            throw invalid("'incremental' is empty");
        }
        if (virtualSize <= 0) {
            throw invalid("'virtualSize' must be a positive number of bytes");
        }
        if (created <= 0) {
            throw invalid("'created' must be a positive time in Unix seconds");
        }
        if ((size == null) != (crc32c == null)) {
            throw invalid("'size' and 'crc32c' go together");
        }
        if (size != null && size < 0) {
            throw invalid("'size' must not be negative");
        }
        if (crc32c != null && !crc32c.matches("[0-9a-f]{8}")) {
            throw invalid("'crc32c' must be 8 lower-case hex digits");
        }
    }

    /** This record with the target's content as the job left it: what restore checks the file against. */
    public BackupRecord withContent(FileContent content) {
        return new BackupRecord(version, domain, disk, mode, checkpoint, incremental, virtualSize, format, created,
                backingFile, content.size(), content.crc32c());
    }

    /** The recorded content, or null when the record has none. */
    public FileContent content() {
        return size == null ? null : new FileContent(size, crc32c);
    }

    /** A record for a full backup; {@code checkpoint} may be null. */
    public static BackupRecord full(String domain, String disk, String checkpoint, long virtualSize,
            ImageFormat format, long created) {
        return new BackupRecord(VERSION, domain, disk, Mode.FULL, checkpoint, null, virtualSize, format, created, null,
                null, null);
    }

    /** A record for an incremental backup since {@code since}; {@code checkpoint} may be null. */
    public static BackupRecord incremental(String domain, String disk, String checkpoint, String since,
            long virtualSize, ImageFormat format, long created, String backingFile) {
        return new BackupRecord(VERSION, domain, disk, Mode.INCREMENTAL, checkpoint, since, virtualSize, format,
                created, backingFile, null, null);
    }

    /** Where the record of {@code target} lives: {@code <target>.json} beside it. */
    public static Path pathFor(Path target) {
        Path name = target.getFileName();
        if (name == null) {
            throw new BackpointException(ErrorCode.INVALID_ARG, "backup target '" + target + "' is not a file name");
        }
        return target.resolveSibling(name + ".json");
    }

    /** Writes the record of {@code target} atomically (temp file, fsync, rename). WRITE_FAILED on I/O errors. */
    public static void write(Path target, BackupRecord record) {
        Path file = pathFor(target);
        try {
            AtomicFiles.write(file, JSON.writeValueAsBytes(record));
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "cannot write backup record '" + file + "': " + IoErrors.reason(e), e);
        }
    }

    /**
     * Publishes the record of {@code target} without ever replacing a file: written and fsynced
     * under a temporary name, then hard-linked to its name (which fails if the name is taken).
     * OPERATION_INVALID when the record's name exists, WRITE_FAILED on I/O errors.
     */
    public static void create(Path target, BackupRecord record) {
        Path file = pathFor(target);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        CrashPoints.before("write:" + file.getFileName());
        try {
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(JSON.writeValueAsBytes(record));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            CrashPoints.reach("write:" + file.getFileName() + ":written");
            try {
                Files.createLink(file, tmp);
            } catch (FileAlreadyExistsException e) {
                throw e;
            } catch (UnsupportedOperationException | IOException e) {
                // No hard links here: a move without REPLACE_EXISTING still refuses a taken name.
                Files.move(tmp, file);
            }
            AtomicFiles.syncDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new BackpointException(ErrorCode.OPERATION_INVALID,
                    "backup record '" + file + "' exists; refusing to overwrite it", e);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "cannot write backup record '" + file + "': " + IoErrors.reason(e), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // A stray hidden temporary file is harmless; the record itself is in place.
                }
            }
        }
        CrashPoints.after("write:" + file.getFileName());
    }

    /**
     * The record of {@code target}, or empty when it has none. A record that exists but cannot be
     * read is READ_FAILED; one that is not a valid record is INVALID_ARG; both name the file.
     */
    public static Optional<BackupRecord> read(Path target) {
        Path file = pathFor(target);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.READ_FAILED,
                    "cannot read backup record '" + file + "': " + IoErrors.reason(e), e);
        }
        if (bytes.length > MAX_BYTES) {
            throw new BackpointException(ErrorCode.INVALID_ARG,
                    "backup record '" + file + "' is larger than " + (MAX_BYTES / 1024) + " KiB");
        }
        try {
            return Optional.of(parse(bytes));
        } catch (BackpointException e) {
            throw new BackpointException(e.code(), "backup record '" + file + "' is invalid: " + e.detail(), e);
        }
    }

    /** Parses a record's JSON. INVALID_ARG, without a file name, when it is not a valid record. */
    static BackupRecord parse(byte[] json) {
        try {
            BackupRecord r = JSON.readValue(json, BackupRecord.class);
            if (r == null) {
                throw invalid("the document is empty");
            }
            return r;
        } catch (JsonProcessingException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BackpointException be) {
                    throw new BackpointException(ErrorCode.INVALID_ARG, be.detail(), e);
                }
            }
            throw new BackpointException(ErrorCode.INVALID_ARG, e.getOriginalMessage(), e);
        } catch (IOException e) {
            // Reading from a byte array: only a malformed document gets here.
            throw new BackpointException(ErrorCode.INVALID_ARG, IoErrors.reason(e), e);
        }
    }

    /** The record as the JSON {@link #write} stores. */
    String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw invalid("'" + field + "' is missing");
        }
    }

    private static BackpointException invalid(String detail) {
        return new BackpointException(ErrorCode.INVALID_ARG, detail);
    }
}
