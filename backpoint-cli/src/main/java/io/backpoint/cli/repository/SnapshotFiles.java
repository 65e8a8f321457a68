package io.backpoint.cli.repository;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.nbd.NbdEndpoint;
import io.backpoint.repo.Repository;
import io.backpoint.repo.Snapshot;
import io.backpoint.repo.SnapshotServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The README's file-level recipe, run for the user: one disk of a snapshot served on a private
 * socket, made a file by nbdfuse, read by debugfs (ext2/3/4). Everything lives in a private
 * directory removed on close, and the fuse mount is always undone.
 */
final class SnapshotFiles implements AutoCloseable {
    private final Path dir;
    private final SnapshotServer server;
    private final Process nbdfuse;
    private final Path fuse;
    private final String image;

    private SnapshotFiles(Path dir, SnapshotServer server, Process nbdfuse, Path fuse, String image) {
        this.dir = dir;
        this.server = server;
        this.nbdfuse = nbdfuse;
        this.fuse = fuse;
        this.image = image;
    }

    static SnapshotFiles open(Repository repository, Snapshot snapshot, String disk, Integer partition,
            Consumer<String> log) throws IOException, InterruptedException {
        for (String tool : List.of("nbdfuse", "debugfs")) {
            if (!onPath(tool)) {
                throw BackpointException.of(ErrorCode.OPERATION_UNSUPPORTED,
                        "'%s' is not installed (packages libnbd-bin and e2fsprogs); it is needed to read files", tool);
            }
        }
        Path dir = Files.createTempDirectory("backpoint-files-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        SnapshotServer server = null;
        Process nbdfuse = null;
        Path fuse = dir.resolve("fuse");
        boolean done = false;
        try {
            server = SnapshotServer.start(repository, snapshot, List.of(disk), NbdEndpoint.unix(dir.resolve("nbd.sock")),
                    SnapshotServer.DEFAULT_CACHE_BYTES, false, log);
            Files.createDirectory(fuse);
            nbdfuse = new ProcessBuilder("nbdfuse", fuse.toString(), server.uri(disk)).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("nbdfuse.log").toFile()).start();
            Path file = fuse.resolve("nbd");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(file)) {
                if (!nbdfuse.isAlive() || System.nanoTime() > deadline) {
                    throw BackpointException.of(ErrorCode.OPERATION_FAILED,
                            "nbdfuse could not make the disk a file (it needs /dev/fuse, and fusermount3 when not root): %s",
                            Files.readString(dir.resolve("nbdfuse.log")).strip());
                }
                Thread.sleep(50);
            }
            long offset;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                offset = Partitions.fileSystem(channel, disk, partition);
            }
            done = true;
            return new SnapshotFiles(dir, server, nbdfuse, fuse, offset == 0 ? file.toString() : file + "?offset=" + offset);
        } finally {
            if (!done) {
                cleanUp(dir, server, nbdfuse, fuse);
            }
        }
    }

    /** Runs one debugfs request, its output copied to {@code out}; fails with debugfs's own error. */
    void debugfs(String request, OutputStream out) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("debugfs", "-R", request, image).start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        out.flush();
        int status = p.waitFor();
        List<String> problems = new ArrayList<>();
        for (String line : new String(err.join(), StandardCharsets.UTF_8).split("\n")) {
            // debugfs prints its version first, and reports a missing file on stderr with status 0.
            if (!line.isBlank() && !line.startsWith("debugfs ")) {
                problems.add(line.strip());
            }
        }
        if (status != 0 || !problems.isEmpty()) {
            throw BackpointException.of(ErrorCode.OPERATION_FAILED, "%s", problems.isEmpty()
                    ? "debugfs exited with status " + status : String.join("; ", problems));
        }
    }

    /** An absolute path inside the file system, quoted for debugfs's request parser. */
    static String quoted(String path) {
        if (path.indexOf('"') >= 0 || path.indexOf('\n') >= 0 || path.indexOf('\0') >= 0) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "path '%s' has a character debugfs cannot take", path);
        }
        return "\"" + (path.startsWith("/") ? path : "/" + path) + "\"";
    }

    @Override
    public void close() {
        cleanUp(dir, server, nbdfuse, fuse);
    }

    private static void cleanUp(Path dir, SnapshotServer server, Process nbdfuse, Path fuse) {
        if (nbdfuse != null) {
            // nbdfuse exits when its mount goes; umount as root, fusermount3 otherwise.
            for (List<String> unmount : List.of(List.of("umount", fuse.toString()),
                    List.of("fusermount3", "-u", fuse.toString()))) {
                if (!nbdfuse.isAlive()) {
                    break;
                }
                try {
                    new ProcessBuilder(unmount).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start().waitFor(30, TimeUnit.SECONDS);
                    nbdfuse.waitFor(10, TimeUnit.SECONDS);
                } catch (IOException e) {
                    // try the next way
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            nbdfuse.destroy();
        }
        if (server != null) {
            server.close();
        }
        for (String name : List.of("nbdfuse.log", "nbd.sock", "fuse", "")) {
            try {
                Files.deleteIfExists(name.isEmpty() ? dir : dir.resolve(name));
            } catch (IOException e) {
                // a mount that would not go leaves its directory; the rest is removed
            }
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static boolean onPath(String program) {
        for (String d : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
