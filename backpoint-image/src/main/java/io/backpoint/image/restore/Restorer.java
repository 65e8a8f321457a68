package io.backpoint.image.restore;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.image.img.QemuImg;
import io.backpoint.image.img.QemuImgException;
import io.backpoint.util.AtomicFiles;
import io.backpoint.util.CrashPoints;
import io.backpoint.util.IoErrors;
import io.backpoint.xml.XmlInput;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleConsumer;
import java.util.regex.Pattern;

/**
 * Rebuilds a disk from a checked {@link RestoreChain} with one {@code qemu-img convert} that
 * reads the chain through backing overrides ({@link ChainSpec}), so the backups are only read.
 * The output appears complete or not at all: qemu-img writes a hidden temporary file beside it,
 * which is synced and then linked to the output name only if that name is still free.
 */
public final class Restorer {
    /** Often enough that little is dirty at the end, rarely enough to cost nothing. */
    private static final long FLUSH_PERIOD_MILLIS = 250;

    private static final String TMP_SUFFIX = ".restoring";
    /**
     * The byte a restore locks in its temporary file while it writes it: far beyond any data and
     * beyond the bytes (100 and up) qemu-img locks in its images, which a lock of the whole
     * file would make qemu-img's own locking fail on.
     */
    private static final long IN_USE_BYTE = Long.MAX_VALUE - 1;
    /** {@code Files.createTempFile}'s names: prefix, an unsigned number, suffix. */
    private static final Pattern LEFTOVER = Pattern.compile("\\..+\\.[0-9]+\\.restoring");

    private final QemuImg img;

    public Restorer() {
        this(new QemuImg());
    }

    Restorer(QemuImg img) {
        this.img = img;
    }

    /**
     * Writes the disk as it was at the chain's last backup to {@code output} in {@code format}.
     * OPERATION_INVALID when the output exists; INVALID_ARG when its directory does not;
     * OPERATION_FAILED when qemu-img fails (its message included).
     *
     * @param progress receives percentages from 0 to 100 as qemu-img reports them; may be null
     */
    public void restore(RestoreChain chain, Path output, ImageFormat format, DoubleConsumer progress) {
        Path out = checkOutput(output);
        Path dir = out.getParent();
        removeLeftovers(dir);
        Path tmp;
        FileChannel held;
        try {
            // Mode 0600: a restored disk holds whatever the guest stored.
            tmp = Files.createTempFile(dir, "." + out.getFileName() + ".", TMP_SUFFIX);
            // Locked while it is written: the next restore into this directory removes only
            // temporary files nobody holds, the ones a killed restore left.
            held = FileChannel.open(tmp, StandardOpenOption.WRITE);
            held.lock(IN_USE_BYTE, 1, false);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "cannot create a file in '" + dir + "': " + IoErrors.reason(e), e);
        }
        // An interrupted restore (Ctrl-C) leaves no partial file behind either.
        Thread cleanup = new Thread(() -> deleteQuietly(tmp), "restore-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            CrashPoints.before("restore:convert");
            convert(chain, tmp, format, progress, out);
            CrashPoints.after("restore:convert");
            sync(tmp, out);
            CrashPoints.before("restore:publish");
            publish(tmp, out);
            CrashPoints.after("restore:publish");
        } finally {
            deleteQuietly(tmp);
            try {
                held.close();
            } catch (IOException e) {
                // Closing releases the lock either way.
            }
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook runs and deletes the temporary file.
            }
        }
    }

    /**
     * Removes the hidden temporary files ({@code .<output>.<number>.restoring}) that killed
     * restores left in {@code dir}: those no running restore holds locked. Only files so named.
     */
    static void removeLeftovers(Path dir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*" + TMP_SUFFIX)) {
            for (Path f : files) {
                if (!LEFTOVER.matcher(f.getFileName().toString()).matches()
                        || !Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    FileLock lock = ch.tryLock(IN_USE_BYTE, 1, false);
                    if (lock != null) {
                        Files.deleteIfExists(f);
                    }
                } catch (OverlappingFileLockException e) {
                    // A restore of this JVM writes it.
                } catch (IOException e) {
                    // Not ours to open or already gone: left alone.
                }
            }
        } catch (IOException e) {
            // The directory cannot be listed: nothing to clean, and creating the output says why.
        }
    }

    /**
     * Checks that {@code output} can be created: it does not exist (OPERATION_INVALID) and its
     * directory does (INVALID_ARG). Returns it absolute. {@link #restore} checks again; this is
     * for callers that want to fail before checking a chain.
     */
    public static Path checkOutput(Path output) {
        Path out = output.toAbsolutePath().normalize();
        refuseExisting(out);
        Path dir = out.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new BackpointException(ErrorCode.INVALID_ARG,
                    "directory '" + dir + "' of output '" + out + "' does not exist");
        }
        return out;
    }

    /**
     * One convert of the whole chain. No -U: a backup that another process still writes (a
     * running push job) must not be read half-written; qemu-img's lock error says what is wrong
     * instead. No -W: out-of-order writes measured no faster on a 2 GiB restore (bench/restore.sh).
     */
    private void convert(RestoreChain chain, Path tmp, ImageFormat format, DoubleConsumer progress, Path out) {
        try (WritebackFlusher flusher = WritebackFlusher.start(tmp, FLUSH_PERIOD_MILLIS)) {
            img.convertSpec(ChainSpec.filename(chain.members()), tmp, format.spelling(), progress);
        } catch (QemuImgException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot restore to '" + out + "': " + e.detail().replace(tmp.toString(), out.toString()), e);
        } catch (InterruptedIOException e) {
            throw new BackpointException(ErrorCode.OPERATION_ABORTED, "qemu-img convert was interrupted", e);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED, IoErrors.reason(e), e);
        }
    }

    /** The data must be on disk before the name appears, or a crash could leave a complete-looking hole. */
    private static void sync(Path tmp, Path out) {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "cannot write output '" + out + "': " + IoErrors.reason(e), e);
        }
    }

    /**
     * Gives the temporary file the output's name. A hard link fails when the name is taken,
     * where a rename would silently replace a file created meanwhile; rename is the fallback
     * for file systems without hard links.
     */
    private static void publish(Path tmp, Path out) {
        try {
            try {
                Files.createLink(out, tmp);
            } catch (FileAlreadyExistsException e) {
                throw exists(out);
            } catch (UnsupportedOperationException | IOException e) {
                refuseExisting(out);
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.deleteIfExists(tmp);
            AtomicFiles.syncDirectory(out.getParent());
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "cannot create output '" + out + "': " + IoErrors.reason(e), e);
        }
    }

    private static void refuseExisting(Path out) {
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            throw exists(out);
        }
    }

    private static BackpointException exists(Path out) {
        return new BackpointException(ErrorCode.OPERATION_INVALID, "output '" + out + "' exists; refusing to overwrite it");
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // Best effort: the name starts with '.' and ends in .restoring, so it is recognisable.
        }
    }
}
