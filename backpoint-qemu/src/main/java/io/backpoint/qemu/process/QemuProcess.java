package io.backpoint.qemu.process;

import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.qemu.qmp.QmpCommands;
import io.backpoint.qemu.qmp.QmpDisconnectedException;
import io.backpoint.util.IoErrors;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A daemonized QEMU, known by its pid and pid file. It outlives the JVM that started it, so
 * every check goes through /proc: a pid alone could have been reused by an unrelated process,
 * hence {@link #isAlive()} also requires that the process's command line names our pid file.
 */
public final class QemuProcess {
    private static final Duration POLL = Duration.ofMillis(20);

    private final long pid;
    private final Path pidFile;

    private QemuProcess(long pid, Path pidFile) {
        this.pid = pid;
        this.pidFile = pidFile;
    }

    /**
     * Starts QEMU with {@code -daemonize}: the launched parent exits once the guest is set up
     * (0) or failed to start (non-zero, with the reason on stderr, kept in {@code logFile}).
     *
     * @throws IOException when QEMU cannot start; the message carries QEMU's own error text
     */
    public static QemuProcess launch(List<String> argv, Path pidFile, Path qmpSocket, Path logFile, Duration timeout)
            throws IOException {
        Files.deleteIfExists(pidFile);
        Files.deleteIfExists(qmpSocket);
        Files.deleteIfExists(logFile);
        Process parent;
        try {
            parent = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        } catch (IOException e) {
            throw new IOException("cannot run '" + argv.get(0) + "': " + IoErrors.reason(e), e);
        }
        try {
            if (!parent.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                parent.destroyForcibly();
                // The daemon child may exist already; do not leave it behind.
                readPid(pidFile).ifPresent(p -> new QemuProcess(p, pidFile).kill());
                throw new IOException("QEMU did not finish starting within " + timeout.toSeconds() + " s" + logTail(logFile));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            parent.destroyForcibly();
            throw new InterruptedIOException("interrupted starting QEMU");
        }
        if (parent.exitValue() != 0) {
            throw new IOException("QEMU failed to start (exit status " + parent.exitValue() + ")" + logTail(logFile));
        }
        long pid = readPid(pidFile).orElseThrow(
                () -> new IOException("QEMU started but wrote no pid to '" + pidFile + "'" + logTail(logFile)));
        QemuProcess p = new QemuProcess(pid, pidFile);
        if (!p.isAlive()) {
            throw new IOException("QEMU exited right after starting" + logTail(logFile));
        }
        return p;
    }

    /** The QEMU that the pid file names, if it is running and really is ours. */
    public static Optional<QemuProcess> attach(Path pidFile) throws IOException {
        Optional<Long> pid = readPid(pidFile);
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        QemuProcess p = new QemuProcess(pid.get(), pidFile);
        return p.isAlive() ? Optional.of(p) : Optional.empty();
    }

    private static Optional<Long> readPid(Path pidFile) throws IOException {
        String text;
        try {
            text = Files.readString(pidFile, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(text);
            return pid > 1 ? Optional.of(pid) : Optional.empty();
        } catch (NumberFormatException e) {
            throw new IOException("pid file '" + pidFile + "' does not hold a pid: '" + text + "'");
        }
    }

    public long pid() {
        return pid;
    }

    public Path pidFile() {
        return pidFile;
    }

    /** Running (some thread not yet dead) and its command line names our pid file. */
    public boolean isAlive() {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            byte[] cmdline = Files.readAllBytes(proc.resolve("cmdline"));
            List<String> args = List.of(new String(cmdline, StandardCharsets.UTF_8).split("\0"));
            int i = args.indexOf("-pidfile");
            return i >= 0 && i + 1 < args.size() && args.get(i + 1).equals(pidFile.toString()) && anyThreadLive();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether any thread of the process is not dead yet. The main thread turns zombie (and its
     * cmdline empties) while other threads are still exiting and still hold the image files and
     * their locks, so "gone" means every thread is gone, not just the first.
     */
    private boolean anyThreadLive() {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (var stream = Files.list(tasks)) {
            for (Path t : (Iterable<Path>) stream::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"), StandardCharsets.UTF_8);
                    // The state follows the command name, which is in parentheses and may contain spaces.
                    int close = stat.lastIndexOf(')');
                    char state = close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : 'X';
                    if (state != 'Z' && state != 'X') {
                        return true;
                    }
                } catch (IOException e) {
                    // the thread went away while we looked
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM: QEMU shuts down cleanly, flushing and closing its images (bitmaps included). */
    public void terminate() {
        if (isAlive()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        }
    }

    /**
     * Stops QEMU without its monitor: SIGTERM (a clean shutdown that saves the bitmaps), then
     * SIGKILL if it has not gone within {@code grace}.
     *
     * @return true if QEMU exited cleanly
     */
    public boolean terminate(Duration grace) throws InterruptedIOException {
        terminate();
        if (waitForExit(grace)) {
            return true;
        }
        kill();
        waitForExit(Duration.ofSeconds(10));
        return false;
    }

    /** SIGKILL: QEMU gets no chance to save bitmaps, which come back inconsistent. */
    public void kill() {
        if (isAlive()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Waits until the process is gone; true if it went within the timeout. */
    public boolean waitForExit(Duration timeout) throws InterruptedIOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (anyThreadLive()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for QEMU to exit");
            }
        }
        return true;
    }

    /**
     * Graceful stop: QMP {@code quit}, on which QEMU flushes and closes its images (writing the
     * persistent bitmaps), then SIGKILL if it has not gone within {@code grace}.
     *
     * @return true if QEMU exited by itself
     */
    public boolean stop(QmpClient qmp, Duration grace) throws InterruptedIOException {
        try {
            qmp.execute(QmpCommands.quit());
        } catch (QmpDisconnectedException e) {
            // QEMU may close the socket before the reply reaches us: that is success.
        } catch (IOException e) {
            // The monitor failed us: SIGTERM is the other clean way out.
            return terminate(grace);
        }
        if (waitForExit(grace)) {
            return true;
        }
        return terminate(grace);
    }

    private static String logTail(Path logFile) {
        try {
            String log = Files.readString(logFile, StandardCharsets.UTF_8).strip();
            if (log.isEmpty()) {
                return "";
            }
            return ": " + (log.length() > 2000 ? log.substring(log.length() - 2000) : log);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return "QEMU pid " + pid;
    }
}
