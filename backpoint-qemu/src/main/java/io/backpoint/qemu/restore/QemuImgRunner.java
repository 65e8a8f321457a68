package io.backpoint.qemu.restore;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.util.IoErrors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the qemu-img binary for restore: {@code info} of one image and a {@code convert} whose
 * {@code -p} progress is passed on. Kept in this package on purpose: restore needs two
 * commands, not a general wrapper.
 */
final class QemuImgRunner {
    /** qemu-img -p prints "    (12.34/100%)" and a carriage return, over and over. */
    private static final Pattern PROGRESS = Pattern.compile("\\((\\d+(?:\\.\\d+)?)/100%\\)");
    private static final long INFO_TIMEOUT_SECONDS = 60;
    /** Enough of qemu-img's stderr for an error message; it never says much more. */
    private static final int MAX_STDERR = 16 * 1024;
    /** info of a qcow2 with many bitmaps is a few KiB; this is far beyond. */
    private static final int MAX_STDOUT = 1024 * 1024;

    private final String binary;

    QemuImgRunner(String binary) {
        this.binary = binary;
    }

    static QemuImgRunner onPath() {
        return new QemuImgRunner("qemu-img");
    }

    /** The result of a finished run. */
    record Result(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }

        /** stderr's message without qemu-img's "qemu-img: " prefix, on one line. */
        String message() {
            String s = stderr.strip().replace("qemu-img: ", "").replace('\n', ' ');
            return s.isEmpty() ? "qemu-img exited with status " + exitCode : s;
        }
    }

    /**
     * {@code qemu-img info} of {@code image}. With force-share (-U) so that an image another
     * process holds open can still be inspected; {@code format} null lets qemu-img probe.
     */
    Result info(Path image, ImageFormat format) {
        List<String> cmd = new ArrayList<>(List.of(binary, "info", "-U", "--output=json"));
        if (format != null) {
            cmd.add("-f");
            cmd.add(format.spelling());
        }
        // Absolute, so that a file named like "nbd:..." or "json:..." is never taken for a protocol.
        cmd.add(image.toAbsolutePath().toString());
        return run(cmd, null, INFO_TIMEOUT_SECONDS);
    }

    /** Runs {@code qemu-img convert -p ARGS}, passing progress in percent; no time limit. */
    Result convert(List<String> args, DoubleConsumer progress) {
        List<String> cmd = new ArrayList<>(List.of(binary, "convert", "-p"));
        cmd.addAll(args);
        return run(cmd, progress == null ? percent -> { } : progress, 0);
    }

    /** Runs a command; with {@code progress} null, stdout is collected and the time is limited. */
    private Result run(List<String> cmd, DoubleConsumer progress, long timeoutSeconds) {
        if (executable(binary) == null) {
            // Said here: under setpriv a missing binary would only be setpriv's exit status.
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot run '" + binary + "': No such file or directory");
        }
        ProcessBuilder pb = new ProcessBuilder(dyingWithParent(cmd)).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // qemu-img's messages are shown to users as they are: keep them in one known language.
        pb.environment().put("LC_ALL", "C");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot run '" + binary + "': " + IoErrors.reason(e), e);
        }
        try {
            StreamDrain err = StreamDrain.start(p.getErrorStream(), MAX_STDERR);
            String out;
            if (progress == null) {
                StreamDrain stdout = StreamDrain.start(p.getInputStream(), MAX_STDOUT);
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    throw new BackpointException(ErrorCode.OPERATION_TIMEOUT,
                            "'" + String.join(" ", cmd) + "' did not finish within " + timeoutSeconds + " seconds");
                }
                out = stdout.text();
            } else {
                out = readProgress(p.getInputStream(), progress);
                p.waitFor();
            }
            return new Result(p.exitValue(), out, err.text());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackpointException(ErrorCode.OPERATION_ABORTED, "qemu-img " + cmd.get(1) + " was interrupted", e);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot read the output of '" + binary + "': " + IoErrors.reason(e), e);
        } finally {
            // A no-op after a normal exit; otherwise qemu-img must not outlive the restore.
            p.destroyForcibly();
        }
    }

    /**
     * The command run under {@code setpriv --pdeathsig KILL}: the kernel kills qemu-img when the
     * JVM dies, even by SIGKILL, when no shutdown hook or finally block runs. (The signal follows
     * the thread that started the child; restore runs qemu-img from the calling thread, which
     * waits for it.) Without setpriv (util-linux), qemu-img runs as it is and dies only with a
     * JVM that exits normally.
     */
    static List<String> dyingWithParent(List<String> cmd) {
        if (SETPRIV == null) {
            return cmd;
        }
        List<String> out = new ArrayList<>(List.of(SETPRIV, "--pdeathsig", "KILL", "--"));
        out.addAll(cmd);
        return out;
    }

    private static final String SETPRIV = executable("setpriv");

    /** The program as the kernel would find it (a path, or a name looked up on PATH), or null. */
    private static String executable(String program) {
        if (program.contains("/")) {
            return java.nio.file.Files.isExecutable(Path.of(program)) ? program : null;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (java.nio.file.Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** Reads -p output, reporting each new percentage; returns what was not progress. */
    private static String readProgress(InputStream in, DoubleConsumer progress) throws IOException {
        StringBuilder rest = new StringBuilder();
        StringBuilder line = new StringBuilder();
        Reader r = new InputStreamReader(in, StandardCharsets.US_ASCII);
        int c;
        while ((c = r.read()) != -1) {
            if (c == '\r' || c == '\n') {
                report(line, progress, rest);
                line.setLength(0);
            } else {
                line.append((char) c);
            }
        }
        report(line, progress, rest);
        return rest.toString();
    }

    private static void report(CharSequence line, DoubleConsumer progress, StringBuilder rest) {
        Matcher m = PROGRESS.matcher(line);
        if (m.find()) {
            progress.accept(Double.parseDouble(m.group(1)));
        } else if (!line.toString().isBlank()) {
            rest.append(line).append('\n');
        }
    }

    /** Reads a stream on its own thread so that a chatty stderr never blocks the process. */
    private static final class StreamDrain implements Runnable {
        private final InputStream in;
        private final int max;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final Thread thread;

        private StreamDrain(InputStream in, int max) {
            this.in = in;
            this.max = max;
            this.thread = new Thread(this, "qemu-img-stderr");
            thread.setDaemon(true);
        }

        static StreamDrain start(InputStream in, int max) {
            StreamDrain d = new StreamDrain(in, max);
            d.thread.start();
            return d;
        }

        @Override
        public void run() {
            byte[] chunk = new byte[4096];
            try {
                int n;
                while ((n = in.read(chunk)) != -1) {
                    synchronized (buf) {
                        buf.write(chunk, 0, Math.max(0, Math.min(n, max - buf.size())));
                    }
                }
            } catch (IOException e) {
                // The process ended or was killed; what was read so far is all there is.
            }
        }

        String text() throws InterruptedException {
            thread.join(5000);
            synchronized (buf) {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
