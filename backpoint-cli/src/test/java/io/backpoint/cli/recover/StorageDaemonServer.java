package io.backpoint.cli.recover;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A snapshot served by qemu-storage-daemon from restored raw files, one read-only export per
 * disk on one unix socket: an independent NBD server, to show recover does not care who serves,
 * and one the test can kill.
 */
final class StorageDaemonServer implements SnapshotServer {
    private final Path socket;
    private final Map<String, Path> disks;
    private Process process;

    StorageDaemonServer(Path socket, Map<String, Path> disks) {
        this.socket = socket;
        this.disks = Map.copyOf(disks);
    }

    @Override
    public Path socket() {
        return socket;
    }

    @Override
    public boolean alive() {
        return process != null && process.isAlive();
    }

    @Override
    public void start() {
        if (alive()) {
            return;
        }
        List<String> argv = new ArrayList<>(List.of("qemu-storage-daemon"));
        for (Map.Entry<String, Path> d : disks.entrySet()) {
            argv.addAll(List.of("--blockdev", "driver=file,node-name=f-" + d.getKey() + ",filename=" + d.getValue()
                    + ",read-only=on", "--blockdev", "driver=raw,node-name=" + d.getKey() + ",file=f-" + d.getKey()
                    + ",read-only=on"));
        }
        argv.addAll(List.of("--nbd-server", "addr.type=unix,addr.path=" + socket));
        for (String d : disks.keySet()) {
            argv.addAll(List.of("--export", "type=nbd,id=e-" + d + ",node-name=" + d + ",name=" + d + ",writable=off"));
        }
        try {
            Files.deleteIfExists(socket);
            process = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(socket.resolveSibling("qsd.log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (Files.exists(socket)) {
                    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                        return;
                    } catch (IOException e) {
                        // not listening yet
                    }
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("qemu-storage-daemon exited: " + Files.readString(socket.resolveSibling("qsd.log")));
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException("qemu-storage-daemon did not listen on " + socket);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (process != null) {
            process.destroy();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process.destroyForcibly();
        }
    }

    /** What a crash of the server looks like to QEMU: SIGKILL, the socket left behind. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
