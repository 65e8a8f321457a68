package io.backpoint.repo.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The directory backend: one file per object under a root directory. A write goes to a
 * temporary file beside the target, is fsynced, then published by a link (put-if-absent: the
 * link fails when the target exists, so two writers never replace each other's object) or an
 * atomic rename (put), and the directory is fsynced so the name survives a power cut (for chunks
 * put with {@link #putIfAbsentDeferred}, once per directory by {@link #syncNames} before the
 * snapshot that references them is published). Files are
 * 0600 and directories 0700 whatever the umask: backups hold whole disks.
 */
public final class DirectoryStore implements ObjectStore {
    static final String TEMP_PREFIX = ".tmp-";
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Told of every step of every write, before it happens: crash tests kill the process at each
     * one in turn to prove that no step leaves a torn or half-published object.
     */
    public interface Steps {
        void before(String step, String key);
    }

    private final Path root;
    private final Steps steps;
    private final DirectWrites direct = new DirectWrites();

    public DirectoryStore(Path root) {
        this(root, (step, key) -> { });
    }

    public DirectoryStore(Path root, Steps steps) {
        this.root = root.toAbsolutePath().normalize();
        this.steps = Objects.requireNonNull(steps, "steps");
    }

    public Path root() {
        return root;
    }

    /** Creates the root directory (0700) when it does not exist. */
    public void createRoot() throws IOException {
        if (!Files.isDirectory(root)) {
            Path parent = root.getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new NoSuchFileException(parent.toString(), null, "parent directory does not exist");
            }
            Files.createDirectory(root);
            Files.setPosixFilePermissions(root, DIR_MODE);
            fsyncDirectory(parent);
        }
    }

    @Override
    public boolean putIfAbsent(String key, byte[] content) throws IOException {
        return putIfAbsent(key, ByteBuffer.wrap(content));
    }

    /** Writes the parts straight from the caller's buffers: a direct buffer is not copied on the way. */
    @Override
    public boolean putIfAbsent(String key, ByteBuffer... content) throws IOException {
        return putIfAbsent(key, true, content);
    }

    /** Fsyncs the file before its name appears, but not the directory: {@link #syncNames} does. */
    @Override
    public boolean putIfAbsentDeferred(String key, ByteBuffer... content) throws IOException {
        return putIfAbsent(key, false, content);
    }

    /** Fsyncs each directory holding one of the keys, once: one journal commit covers them all. */
    @Override
    public void syncNames(java.util.Collection<String> keys) throws IOException {
        java.util.Map<Path, String> directories = new java.util.TreeMap<>();
        for (String key : keys) {
            directories.putIfAbsent(file(key).getParent(), key);
        }
        for (java.util.Map.Entry<Path, String> d : directories.entrySet()) {
            steps.before("fsync-dir", d.getValue());
            fsyncDirectory(d.getKey());
        }
    }

    private boolean putIfAbsent(String key, boolean syncName, ByteBuffer... content) throws IOException {
        Path target = file(key);
        if (Files.exists(target)) {
            return false;
        }
        Path temp = writeTemp(key, target, content);
        try {
            steps.before("link", key);
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(temp);
        }
        if (syncName) {
            steps.before("fsync-dir", key);
            fsyncDirectory(target.getParent());
        }
        return true;
    }

    @Override
    public void put(String key, byte[] content) throws IOException {
        Path target = file(key);
        Path temp = writeTemp(key, target, ByteBuffer.wrap(content));
        try {
            steps.before("rename", key);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        steps.before("fsync-dir", key);
        fsyncDirectory(target.getParent());
    }

    @Override
    public Optional<byte[]> get(String key) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(file(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public long read(String key, ByteBuffer into) throws IOException {
        try (FileChannel channel = FileChannel.open(file(key), StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > into.remaining()) {
                return size;
            }
            ByteBuffer window = into.duplicate().limit(into.position() + (int) size);
            while (window.hasRemaining()) {
                if (channel.read(window) < 0) {
                    throw new IOException("'" + key + "' shrank while it was read");
                }
            }
            into.position(window.position());
            return size;
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    @Override
    public byte[] get(String key, long offset, int length) throws IOException {
        try (FileChannel channel = FileChannel.open(file(key), StandardOpenOption.READ)) {
            long available = Math.max(0, channel.size() - offset);
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(length, available));
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    break;
                }
            }
            return buffer.position() == buffer.capacity() ? buffer.array()
                    : java.util.Arrays.copyOf(buffer.array(), buffer.position());
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file(key), BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                return Optional.empty();
            }
            return Optional.of(new ObjectInfo(key, attributes.size(), attributes.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        // Walk only the deepest directory the prefix names, not the whole repository.
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        List<ObjectInfo> found = new ArrayList<>();
        // A file that vanishes during the walk is skipped; the walk goes on (an early end would
        // hide manifests from gc).
        walkFiles(start, (path, attributes) -> {
            String key = root.relativize(path).toString();
            if (!path.getFileName().toString().startsWith(TEMP_PREFIX) && key.startsWith(prefix)) {
                found.add(new ObjectInfo(key, attributes.size(), attributes.lastModifiedTime().toInstant()));
            }
        });
        found.sort(java.util.Comparator.comparing(ObjectInfo::key));
        return found;
    }

    @Override
    public void delete(String key) throws IOException {
        Path target = file(key);
        steps.before("delete", key);
        if (Files.deleteIfExists(target)) {
            fsyncDirectory(target.getParent());
        }
    }

    @Override
    public long removeLeftovers(Instant olderThan) throws IOException {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        long[] count = {0};
        walkFiles(root, (path, attributes) -> {
            if (path.getFileName().toString().startsWith(TEMP_PREFIX)
                    && attributes.lastModifiedTime().toInstant().isBefore(olderThan) && Files.deleteIfExists(path)) {
                count[0]++;
            }
        });
        return count[0];
    }

    /** What {@link #walkFiles} calls for each regular file. */
    private interface FileAction {
        void accept(Path path, BasicFileAttributes attributes) throws IOException;
    }

    /**
     * Calls {@code action} for each regular file under {@code start}. A file or directory that
     * vanishes while the walk runs (a temporary file renamed by its writer, a chunk deleted by
     * gc) is skipped, not an error: Files.walk would throw, and end the walk, there.
     */
    private static void walkFiles(Path start, FileAction action) throws IOException {
        Files.walkFileTree(start, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (attributes.isRegularFile()) {
                    try {
                        action.accept(file, attributes);
                    } catch (NoSuchFileException e) {
                        // gone meanwhile
                    }
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
    }

    @Override
    public String location() {
        return root.toString();
    }

    /** Where an object lives; chunk fan-out directories are part of the key. */
    Path file(String key) {
        return root.resolve(Keys.check(key));
    }

    private Path writeTemp(String key, Path target, ByteBuffer... content) throws IOException {
        createDirectories(target.getParent());
        byte[] suffix = new byte[8];
        RANDOM.nextBytes(suffix);
        Path temp = target.resolveSibling(TEMP_PREFIX + target.getFileName() + "-" + HexFormat.of().formatHex(suffix));
        steps.before("create", key);
        try {
            if (direct.write(temp, FILE_MODE, step -> steps.before(step, key), content)) {
                return temp;
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(FILE_MODE))) {
            // The creation mode is filtered by the umask; set it explicitly as well.
            Files.setPosixFilePermissions(temp, FILE_MODE);
            ByteBuffer[] buffers = new ByteBuffer[content.length];
            long left = 0;
            for (int i = 0; i < content.length; i++) {
                buffers[i] = content[i].duplicate();
                left += buffers[i].remaining();
            }
            steps.before("write", key);
            while (left > 0) {
                left -= channel.write(buffers);
            }
            steps.before("fsync", key);
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }

    private void createDirectories(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        if (!directory.startsWith(root) || directory.equals(root)) {
            throw new NoSuchFileException(directory.toString(), null, "repository directory is missing");
        }
        createDirectories(directory.getParent());
        try {
            Files.createDirectory(directory);
            Files.setPosixFilePermissions(directory, DIR_MODE);
            fsyncDirectory(directory.getParent());
        } catch (FileAlreadyExistsException e) {
            // another writer made it first
        }
    }

    private static void fsyncDirectory(Path directory) throws IOException {
        if (directory == null) {
            return;
        }
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
