package io.backpoint.repo.storage;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the whole content of a new, large file with O_DIRECT, past the page cache. A chunk file
 * is fsynced as soon as it is written, so the page cache holds it for nothing on the way out, and
 * filling it is what a buffered write costs: measured here (backup of 2 GiB of random data,
 * 2 cores), the kernel's copy into new page-cache pages was 3 of the JVM's 10 CPU seconds, and
 * {@code dd} writes 2 GiB with 4.0 s of system time buffered, 0.4 s with O_DIRECT. Reads of the
 * file later go through the page cache as before.
 *
 * <p>O_DIRECT wants the memory, the file position and the length aligned to the file system's
 * block: the content is copied into an aligned direct buffer (a user-space copy, about a tenth of
 * the kernel's), padded with zeroes to a whole block, written, and the file cut back to its
 * length. A file system that refuses O_DIRECT (tmpfs) is remembered and written buffered from
 * then on; so is a write that finds the buffers' budget spent (direct memory stays bounded
 * whatever the number of writers).
 */
final class DirectWrites {
    /** Smaller files (manifests, leases) are not worth a direct buffer. */
    static final int MIN_SIZE = 64 << 10;
    /** Direct memory all writers' aligned buffers may hold together. */
    static final long BUDGET = 64L << 20;

    /** The file system's block once known, 0 before the first try, -1 when O_DIRECT is refused. */
    private volatile int alignment;
    private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
    private final AtomicLong allocated = new AtomicLong();
    private final long budget;
    private final Writer writer;

    DirectWrites() {
        this(BUDGET);
    }

    DirectWrites(long budget) {
        this(budget, FileChannel::write);
    }

    /** {@code writer}: the direct write itself (a test makes it fail as a file system would). */
    DirectWrites(long budget, Writer writer) {
        this.budget = budget;
        this.writer = writer;
    }

    /** One write on the O_DIRECT channel. */
    interface Writer {
        int write(FileChannel channel, ByteBuffer buffer) throws IOException;
    }

    /** What a direct write does between its steps: the store's crash-test hooks. */
    interface Steps {
        void before(String step) throws IOException;
    }

    /**
     * Creates {@code file} (which must not exist) with mode {@code mode} and writes the
     * concatenated remaining bytes of {@code content} (not moved) to it with O_DIRECT, then fsyncs
     * it. Returns false, having created nothing, when O_DIRECT cannot be used for it: the caller
     * writes it buffered. On an error the file may exist; the caller deletes it.
     */
    boolean write(Path file, Set<PosixFilePermission> mode, Steps steps, ByteBuffer... content) throws IOException {
        long size = 0;
        for (ByteBuffer part : content) {
            size += part.remaining();
        }
        if (size < MIN_SIZE || alignment < 0 || size > Integer.MAX_VALUE / 2) {
            return false;
        }
        int align = alignment(file.getParent());
        if (align <= 0) {
            return false;
        }
        int padded = (int) ((size + align - 1) / align * align);
        ByteBuffer buffer = take(padded, align);
        if (buffer == null) {
            return false;
        }
        try {
            FileChannel channel;
            try {
                channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        ExtendedOpenOption.DIRECT), PosixFilePermissions.asFileAttribute(mode));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                throw e;
            } catch (IOException | UnsupportedOperationException e) {
                if (Files.exists(file)) {
                    // Created, then refused (EINVAL from a file system without O_DIRECT): the
                    // buffered write needs the name free.
                    Files.deleteIfExists(file);
                }
                alignment = -1;
                return false;
            }
            try (channel) {
                // The creation mode is filtered by the umask; set it explicitly as well.
                Files.setPosixFilePermissions(file, mode);
                buffer.clear();
                for (ByteBuffer part : content) {
                    buffer.put(part.duplicate());
                }
                while (buffer.position() < padded) {
                    buffer.put((byte) 0);
                }
                buffer.flip();
                steps.before("write");
                try {
                    while (buffer.hasRemaining()) {
                        writer.write(channel, buffer);
                    }
                } catch (IOException e) {
                    // Opened, but the write failed: a file system that will not write directly
                    // (EINVAL), or a real fault. Which one cannot be told from the message (it
                    // follows the user's locale), so the caller writes it again buffered, from now
                    // on: a real fault then fails that write with its own error.
                    alignment = -1;
                    channel.close();
                    Files.deleteIfExists(file);
                    return false;
                }
                if (padded != size) {
                    channel.truncate(size);
                }
                steps.before("fsync");
                // The data is on the device already; this makes the size and the blocks' allocation durable.
                channel.force(true);
            }
            return true;
        } finally {
            free.add(buffer);
        }
    }

    /** The block O_DIRECT needs in {@code directory}'s file system, found once per store. */
    private int alignment(Path directory) {
        int a = alignment;
        if (a == 0) {
            try {
                long block = Files.getFileStore(directory).getBlockSize();
                a = block > 0 && block <= (1 << 16) && Long.bitCount(block) == 1 ? (int) block : -1;
            } catch (IOException | UnsupportedOperationException e) {
                a = -1;
            }
            alignment = a;
        }
        return a;
    }

    /** An aligned direct buffer of at least {@code size} bytes, or null when the budget is spent. */
    private ByteBuffer take(int size, int align) {
        ByteBuffer b = free.poll();
        if (b != null && b.capacity() >= size) {
            return b;
        }
        if (b != null) {
            // Too small for this file (a larger chunk size than the last backup's): drop it.
            allocated.addAndGet(-cost(b.capacity(), align));
        }
        long need = cost(size, align);
        if (allocated.addAndGet(need) > budget) {
            allocated.addAndGet(-need);
            return null;
        }
        ByteBuffer made = ByteBuffer.allocateDirect(size + align).alignedSlice(align);
        allocated.addAndGet(cost(made.capacity(), align) - need);
        return made;
    }

    /** Direct memory a buffer of {@code capacity} aligned bytes holds: what alignment took counted too. */
    private static long cost(int capacity, int align) {
        return capacity + (long) align;
    }
}
