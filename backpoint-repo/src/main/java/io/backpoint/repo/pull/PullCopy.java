package io.backpoint.repo.pull;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.nbd.CopyResult;
import io.backpoint.nbd.Extent;
import io.backpoint.nbd.ExtentMap;
import io.backpoint.nbd.MetaContext;
import io.backpoint.nbd.NbdClient;
import io.backpoint.nbd.NbdConnectOptions;
import io.backpoint.nbd.NbdCopier;
import io.backpoint.nbd.QemuNbdServer;
import io.backpoint.image.img.QemuImg;
import io.backpoint.image.restore.BackupRecord;
import io.backpoint.image.restore.ImageFormat;
import io.backpoint.util.IoErrors;
import io.backpoint.util.OwnerOnly;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The copy side of a pull backup, for one disk: connect to the export of a running pull job,
 * copy what it lists into a new qcow2 file (every allocated extent for a full backup, the
 * extents its dirty bitmap lists for an incremental), make an incremental name the live disk as
 * its backing file as a push incremental does, and write the record restore checks a chain with.
 * The result is a backup {@code restore} takes like a push target.
 */
public final class PullCopy {
    /**
     * @param listedBytes what the export listed to copy: the bitmap's dirty bytes (incremental),
     *     or the disk's size (full)
     * @param copy what the copier moved
     */
    public record Result(long listedBytes, CopyResult copy) {}

    private final QemuImg img;

    public PullCopy() {
        this(new QemuImg());
    }

    PullCopy(QemuImg img) {
        this.img = img;
    }

    /**
     * Copies export {@code export} on the unix socket {@code socket} into {@code target}, which
     * must not exist (it is created the owner's alone); on any failure the file is removed again,
     * since nothing else could have written it. OPERATION_INVALID when the target exists.
     *
     * @param bitmap the temporary bitmap the export carries for an incremental, or null for a full copy
     * @param record what the backup is: its format must be qcow2; an incremental's backing file
     *     names the live disk
     */
    public Result copy(Path socket, String export, String bitmap, Path target, BackupRecord record) {
        if (record.format() != ImageFormat.QCOW2) {
            throw BackpointException.of(ErrorCode.ARGUMENT_UNSUPPORTED,
                    "a pull copy writes qcow2 backups, not %s", record.format().spelling());
        }
        try {
            Files.createFile(target, PosixFilePermissions.asFileAttribute(OwnerOnly.FILE));
        } catch (FileAlreadyExistsException e) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                    "backup file '%s' exists: choose another name", target);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "cannot create backup file '" + target + "': " + IoErrors.reason(e), e);
        }
        boolean done = false;
        try {
            Result r = copyInto(socket, export, bitmap, target, record);
            // A record left beside a name that was free is not ours: create refuses it.
            BackupRecord.create(target, record);
            done = true;
            return r;
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot copy export '" + export + "' to '" + target + "': " + IoErrors.reason(e), e);
        } finally {
            if (!done) {
                deleteQuietly(target);
            }
        }
    }

    private Result copyInto(Path socket, String export, String bitmap, Path target, BackupRecord record)
            throws IOException {
        // qemu-img keeps the mode of the file it writes into: the owner's alone, as created.
        img.create(target, "qcow2", record.virtualSize());
        List<String> contexts = new ArrayList<>(List.of(MetaContext.BASE_ALLOCATION));
        String dirty = bitmap == null ? null : MetaContext.dirtyBitmap(bitmap);
        if (dirty != null) {
            contexts.add(dirty);
        }
        Result result;
        try (NbdClient source = NbdClient.connectUnix(socket,
                new NbdConnectOptions(export, contexts, NbdConnectOptions.DEFAULT_TIMEOUT));
                QemuNbdServer local = QemuNbdServer.builder(target).format("qcow2").start();
                NbdClient dest = local.connect()) {
            long listed = dirty == null ? source.size() : dirtyBytes(source, dirty);
            NbdCopier copier = dirty == null ? NbdCopier.full() : NbdCopier.incremental(dirty);
            result = new Result(listed, copier.destinationZero(true).copy(source, dest));
        }
        if (record.backingFile() != null) {
            img.rebaseUnsafe(target, "qcow2", Path.of(record.backingFile()), "qcow2");
        }
        return result;
    }

    private static long dirtyBytes(NbdClient source, String context) throws IOException {
        long dirty = 0;
        for (Extent e : ExtentMap.query(source, context).extents()) {
            if (e.has(MetaContext.STATE_DIRTY)) {
                dirty += e.length();
            }
        }
        return dirty;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // The error that brought us here is the one to report.
        }
    }
}
