package io.backpoint.image.restore;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.image.img.ImageInfo;
import io.backpoint.image.img.QemuImg;
import io.backpoint.image.img.QemuImgException;
import io.backpoint.image.img.QemuImgTimeoutException;
import io.backpoint.util.IoErrors;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A full push backup and its incrementals, oldest first, checked to form one chain before
 * anything is rebuilt from them. What the images show is always checked (formats, backing
 * files, virtual sizes); what only the backup records know (which checkpoint each backup was
 * taken since and which it created, domain, disk) is checked where records exist, and a
 * warning names what was skipped where they do not. Reading the backups never changes them.
 */
public final class RestoreChain {
    /** st_mode's file type bits and the block-device type, as in stat(2). */
    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    private static final String RECORD_SUFFIX = "<backup>.json";

    private final List<ChainMember> members;
    private final List<String> warnings;

    private RestoreChain(List<ChainMember> members, List<String> warnings) {
        this.members = List.copyOf(members);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Checks {@code backups} (the full backup first, then each incremental in the order taken).
     * Mistakes are INVALID_ARG (a file that is missing, unreadable or does not fit) or
     * OPERATION_INVALID (a chain out of order, with a gap, or a backup of the wrong kind), naming
     * the file.
     */
    public static RestoreChain check(List<Path> backups) {
        return check(backups, false);
    }

    /**
     * As {@link #check(List)}; a backup without a record (a target of a job that never
     * completed, or one copied without it) is refused (OPERATION_INVALID) unless
     * {@code allowUnrecorded}, and then only warned about.
     */
    public static RestoreChain check(List<Path> backups, boolean allowUnrecorded) {
        return check(backups, new QemuImg(), allowUnrecorded);
    }

    static RestoreChain check(List<Path> backups, QemuImg img) {
        return check(backups, img, false);
    }

    static RestoreChain check(List<Path> backups, QemuImg img, boolean allowUnrecorded) {
        if (backups.isEmpty()) {
            throw new BackpointException(ErrorCode.INVALID_ARG, "no backups given: name the full backup first");
        }
        List<Path> paths = new ArrayList<>();
        for (Path given : backups) {
            Path p = given.toAbsolutePath().normalize();
            checkFile(p);
            for (Path earlier : paths) {
                if (sameFile(earlier, p)) {
                    throw new BackpointException(ErrorCode.INVALID_ARG,
                            "backup '" + p + "' is given twice (also as '" + earlier + "')");
                }
            }
            paths.add(p);
        }
        List<String> warnings = new ArrayList<>();
        List<ChainMember> members = new ArrayList<>();
        for (Path p : paths) {
            members.add(inspect(p, img));
        }
        if (!allowUnrecorded) {
            refuseMissingRecords(members);
        }
        warnMissingRecords(members, warnings);
        checkFull(members.get(0));
        for (int i = 1; i < members.size(); i++) {
            checkIncremental(members.get(i), members.get(0));
        }
        checkRecords(members);
        checkBackingFiles(members, warnings);
        // Last, as it reads every backup whole: the cheap checks answer a wrong chain at once.
        checkContents(members, warnings);
        return new RestoreChain(members, warnings);
    }

    /** Number of backups in the chain. */
    public int size() {
        return members.size();
    }

    /** The backups, absolute, full backup first. */
    public List<Path> backups() {
        return members.stream().map(ChainMember::path).toList();
    }

    /** The disk's size in bytes. */
    public long virtualSize() {
        return members.get(0).info().virtualSize();
    }

    /** Checks that could not be made, one sentence each: show them to the user. */
    public List<String> warnings() {
        return warnings;
    }

    List<ChainMember> members() {
        return members;
    }

    /** Exists, readable, a file or a block device. */
    private static void checkFile(Path p) {
        if (!Files.exists(p)) {
            throw new BackpointException(ErrorCode.INVALID_ARG, "backup '" + p + "' does not exist");
        }
        boolean blockDevice = isBlockDevice(p);
        if (!Files.isRegularFile(p) && !blockDevice) {
            // A directory or a FIFO: qemu-img would fail or, on a FIFO, wait forever.
            throw new BackpointException(ErrorCode.INVALID_ARG,
                    "backup '" + p + "' is not a regular file or a block device");
        }
        if (!Files.isReadable(p)) {
            throw new BackpointException(ErrorCode.INVALID_ARG, "backup '" + p + "' is not readable");
        }
    }

    private static boolean isBlockDevice(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode");
            return mode instanceof Integer m && (m & S_IFMT) == S_IFBLK;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.equals(b);
        }
    }

    private static ChainMember inspect(Path p, QemuImg img) {
        BackupRecord record = BackupRecord.read(p).orElse(null);
        // With a record the format is known and given to qemu-img: probing a raw image whose
        // guest wrote a qcow2 header at offset 0 would otherwise read it as qcow2.
        // Force-share (-U): an image another process holds open can still be inspected.
        ImageInfo info;
        try {
            info = img.info(p, record == null ? null : record.format().spelling(), true);
        } catch (QemuImgTimeoutException e) {
            throw new BackpointException(ErrorCode.OPERATION_TIMEOUT, e.detail(), e);
        } catch (QemuImgException e) {
            throw new BackpointException(ErrorCode.INVALID_ARG, "cannot read backup '" + p + "': " + e.detail(), e);
        } catch (InterruptedIOException e) {
            throw new BackpointException(ErrorCode.OPERATION_ABORTED, "qemu-img info was interrupted", e);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED, IoErrors.reason(e), e);
        }
        ImageFormat format = ImageFormat.orNull(info.format());
        if (format == null) {
            throw new BackpointException(ErrorCode.INVALID_ARG, "backup '" + p + "' is a '" + info.format()
                    + "' image; restore reads raw and qcow2 backups");
        }
        if (record != null && record.virtualSize() != info.virtualSize()) {
            throw new BackpointException(ErrorCode.INVALID_ARG, "the record of backup '" + p + "' gives virtual size "
                    + record.virtualSize() + " but the image has " + info.virtualSize()
                    + ": the record does not belong to this image");
        }
        return new ChainMember(p, format, isBlockDevice(p), info, record);
    }

    /**
     * A backup without a record is refused: a completed push job writes one beside each file
     * target, so a target without one is most often what a job that died left half-written.
     */
    private static void refuseMissingRecords(List<ChainMember> members) {
        for (ChainMember m : members) {
            if (m.record() == null && !m.blockDevice()) {
                throw new BackpointException(ErrorCode.OPERATION_INVALID, "backup '" + m.path()
                        + "' has no record (" + RECORD_SUFFIX + "): a backup job writes it only when it completes,"
                        + " so this may be the half-written target of a job that did not; restore it anyway with"
                        + " --allow-unrecorded");
            }
        }
    }

    /**
     * Each recorded backup is what its job wrote: the same length and CRC-32C. A truncated or
     * altered file is refused by name. Records without content (older ones) are only warned about.
     */
    private static void checkContents(List<ChainMember> members, List<String> warnings) {
        for (ChainMember m : members) {
            FileContent recorded = m.record() == null ? null : m.record().content();
            if (m.record() == null) {
                continue;
            }
            if (recorded == null) {
                warnings.add("the record of backup '" + m.path() + "' has no size and checksum: its content was"
                        + " not verified");
                continue;
            }
            long size;
            try {
                size = Files.size(m.path());
            } catch (IOException e) {
                throw new BackpointException(ErrorCode.READ_FAILED,
                        "cannot read backup '" + m.path() + "': " + IoErrors.reason(e), e);
            }
            if (size != recorded.size()) {
                throw new BackpointException(ErrorCode.OPERATION_INVALID, "backup '" + m.path() + "' is " + size
                        + " bytes but its job wrote " + recorded.size() + " bytes: it was "
                        + (size < recorded.size() ? "truncated" : "changed") + " after the backup, so it is not restored");
            }
            FileContent actual = FileContent.of(m.path());
            if (!actual.equals(recorded)) {
                throw new BackpointException(ErrorCode.OPERATION_INVALID, "backup '" + m.path()
                        + "' does not have the CRC-32C its job recorded (" + recorded.crc32c() + ", now "
                        + actual.crc32c() + "): it was altered after the backup, so it is not restored");
            }
        }
    }

    /** One sentence for all backups without a record, saying what could not be checked. */
    private static void warnMissingRecords(List<ChainMember> members, List<String> warnings) {
        List<String> missing = members.stream().filter(m -> m.record() == null)
                .map(m -> "'" + m.path() + "'").toList();
        if (missing.isEmpty()) {
            return;
        }
        String what = missing.size() == 1 ? "backup " + missing.get(0) + " has no record (" + RECORD_SUFFIX + ")"
                : "backups " + String.join(", ", missing) + " have no records (" + RECORD_SUFFIX + ")";
        warnings.add(what + ": formats were probed, and the checkpoint order, domain and disk of the"
                + (missing.size() == 1 ? " backup" : "se backups") + " were not checked");
    }

    private static void checkFull(ChainMember full) {
        if (full.record() != null && full.record().mode() == BackupRecord.Mode.INCREMENTAL) {
            throw new BackpointException(ErrorCode.OPERATION_INVALID, "backup '" + full.path()
                    + "' is an incremental backup (since checkpoint '" + full.record().incremental()
                    + "'): name the full backup first");
        }
        if (full.info().backingFilename() != null) {
            throw new BackpointException(ErrorCode.OPERATION_INVALID, "backup '" + full.path()
                    + "' has a backing file ('" + full.info().backingFilename()
                    + "'), so it is not a full backup: name the full backup first");
        }
    }

    private static void checkIncremental(ChainMember inc, ChainMember full) {
        if (inc.record() != null && inc.record().mode() == BackupRecord.Mode.FULL) {
            throw new BackpointException(ErrorCode.OPERATION_INVALID, "backup '" + inc.path()
                    + "' is a full backup; only the first backup of a chain can be full");
        }
        if (inc.format() != ImageFormat.QCOW2) {
            throw new BackpointException(ErrorCode.OPERATION_INVALID, "backup '" + inc.path() + "' is a "
                    + inc.format().spelling() + " image; an incremental backup must be a qcow2 image"
                    + " backed by the disk");
        }
        if (inc.info().backingFilename() == null) {
            throw new BackpointException(ErrorCode.OPERATION_INVALID, "backup '" + inc.path()
                    + "' has no backing file, so it is not an incremental push backup");
        }
        if (inc.info().virtualSize() != full.info().virtualSize()) {
            throw new BackpointException(ErrorCode.INVALID_ARG, "backup '" + inc.path() + "' has virtual size "
                    + inc.info().virtualSize() + " but the full backup '" + full.path() + "' has "
                    + full.info().virtualSize() + ": they are not backups of one disk (or it was resized)");
        }
    }

    /** Checkpoint links between neighbours, and one domain and disk throughout, where recorded. */
    private static void checkRecords(List<ChainMember> members) {
        ChainMember lastRecorded = null;
        for (int i = 0; i < members.size(); i++) {
            ChainMember m = members.get(i);
            BackupRecord r = m.record();
            if (r == null) {
                continue;
            }
            if (lastRecorded != null) {
                BackupRecord before = lastRecorded.record();
                if (!before.domain().equals(r.domain())) {
                    throw new BackpointException(ErrorCode.OPERATION_INVALID, "backup '" + m.path()
                            + "' is of domain '" + r.domain() + "' but backup '" + lastRecorded.path()
                            + "' is of domain '" + before.domain() + "'");
                }
                if (!before.disk().equals(r.disk())) {
                    throw new BackpointException(ErrorCode.OPERATION_INVALID, "backup '" + m.path()
                            + "' is of disk '" + r.disk() + "' but backup '" + lastRecorded.path()
                            + "' is of disk '" + before.disk() + "'");
                }
            }
            if (i > 0 && members.get(i - 1).record() != null) {
                ChainMember prev = members.get(i - 1);
                String created = prev.record().checkpoint();
                if (!r.incremental().equals(created)) {
                    throw new BackpointException(ErrorCode.OPERATION_INVALID, "backup '" + m.path()
                            + "' was taken since checkpoint '" + r.incremental() + "' but the previous backup '"
                            + prev.path() + "' created "
                            + (created == null ? "no checkpoint" : "'" + created + "'")
                            + ": the chain has a gap or is out of order");
                }
            }
            lastRecorded = m;
        }
    }

    /**
     * Incrementals of one disk name the same live disk as backing file. A different one is not
     * an error (the disk may have moved between backups) but is worth a word when records
     * cannot vouch for the chain.
     */
    private static void checkBackingFiles(List<ChainMember> members, List<String> warnings) {
        for (int i = 2; i < members.size(); i++) {
            ChainMember a = members.get(i - 1);
            ChainMember b = members.get(i);
            boolean recorded = a.record() != null && b.record() != null;
            if (!recorded && !a.info().backingFilename().equals(b.info().backingFilename())) {
                warnings.add("backups '" + a.path() + "' and '" + b.path() + "' name different backing files ('"
                        + a.info().backingFilename() + "', '" + b.info().backingFilename()
                        + "'): they may not be backups of one disk");
            }
        }
    }
}
