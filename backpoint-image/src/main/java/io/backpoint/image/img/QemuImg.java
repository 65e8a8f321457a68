package io.backpoint.image.img;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.util.CrashPoints;
import io.backpoint.util.IoErrors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way Backpoint runs the qemu-img binary: create images, read their info and offline
 * bitmap state, change bitmaps of an image no one has open, check, and convert (with {@code -p}
 * progress for restore). Every run is hardened the same way: {@code LC_ALL=C} (its messages are
 * shown to users as they are), stdin from /dev/null, image names made absolute and put after
 * {@code --} (a file named "nbd:..." or "json:..." is never taken for a protocol, one named
 * "-x" never for an option), and under {@code setpriv --pdeathsig KILL} where util-linux has it,
 * so qemu-img dies with the JVM even when that is killed. Failures are {@link QemuImgException}s
 * carrying qemu-img's own message.
 */
public final class QemuImg {
    /** qemu-img -p prints "    (12.34/100%)" and a carriage return, over and over. */
    private static final Pattern PROGRESS = Pattern.compile("\\((\\d+(?:\\.\\d+)?)/100%\\)");
    /** Enough of qemu-img's stderr for an error message; it never says much more. */
    private static final int MAX_STDERR = 16 * 1024;
    /** info of a qcow2 with many bitmaps is a few KiB; check's report of a damaged image more. */
    private static final int MAX_STDOUT = 16 * 1024 * 1024;

    /**
     * Made on first use, not when the class loads: every daemonless command builds a QemuImg, few
     * run qemu-img, and a mapper plus a PATH search cost 60 ms or more of start-up (measured with
     * BACKPOINT_TRACE=1 on `list --all`).
     */
    private static final class Lazy {
        static final ObjectMapper JSON = new ObjectMapper();
        static final String SETPRIV = executable("setpriv");
    }

    private final String binary;
    private final Duration timeout;

    /** Uses {@code qemu-img} from PATH. */
    public QemuImg() {
        this("qemu-img", Duration.ofMinutes(10));
    }

    /** @param timeout for every command but a convert with progress, which runs as long as it needs */
    public QemuImg(String binary, Duration timeout) {
        this.binary = Objects.requireNonNull(binary, "binary");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * Creates an image.
     *
     * @param backing backing file, or null
     * @param backingFormat the backing file's format; required with a backing file, since
     *     probing a format is unsafe
     */
    public void create(Path image, String format, long sizeBytes, Path backing, String backingFormat)
            throws IOException {
        create(image, format, sizeBytes, backing == null ? null : name(backing), backingFormat);
    }

    /**
     * Creates an image whose backing is given as QEMU spells it: a file name, a URI or a
     * {@code json:{...}} pseudo-file (an NBD export, say), which qemu-img opens to check it.
     */
    public void create(Path image, String format, long sizeBytes, String backing, String backingFormat)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("create", "-q", "-f", format));
        if (backing != null) {
            if (backingFormat == null) {
                throw new IllegalArgumentException("a backing file needs its format");
            }
            args.addAll(List.of("-b", backing, "-F", backingFormat));
        }
        args.add("--");
        args.add(name(image));
        if (sizeBytes >= 0) {
            args.add(Long.toString(sizeBytes));
        }
        change(args);
    }

    /** Shorthand for an image without backing file. */
    public void create(Path image, String format, long sizeBytes) throws IOException {
        create(image, format, sizeBytes, (String) null, null);
    }

    /**
     * Converts an image to a new file in another format, keeping holes; it replaces the target, so
     * callers convert into a temporary name of their own.
     */
    public void convert(Path source, String sourceFormat, Path target, String targetFormat) throws IOException {
        change(List.of("convert", "-q", "-W", "-f", sourceFormat, "-O", targetFormat, "--", name(source),
                name(target)));
    }

    /**
     * Converts the image a {@code json:} filename describes (a backing chain a restore built) into
     * {@code target}, passing {@code -p} progress in percent; no time limit. The caller kills
     * around it, so it is no crash point of its own.
     *
     * @param jsonSource a {@code json:{...}} filename: the one name given to qemu-img as a protocol
     */
    public void convertSpec(String jsonSource, Path target, String targetFormat, DoubleConsumer progress)
            throws IOException {
        if (!jsonSource.startsWith("json:")) {
            throw new IllegalArgumentException("not a json: filename");
        }
        Result r = exec(List.of("convert", "-p", "-O", targetFormat, "--", jsonSource, name(target)),
                progress == null ? percent -> { } : progress);
        if (r.exit() != 0) {
            throw failure("convert", r);
        }
    }

    /**
     * Changes the backing file an image names without touching its data ({@code rebase -u}): a
     * copied incremental is made to refer to the live disk, as a push incremental does.
     */
    public void rebaseUnsafe(Path image, String format, Path backing, String backingFormat) throws IOException {
        change(List.of("rebase", "-u", "-f", format, "-b", name(backing), "-F", backingFormat, "--", name(image)));
    }

    /**
     * Reads image info.
     *
     * @param format the format, or null to let qemu-img probe (only for images Backpoint made)
     * @param forceShare read even while a running QEMU holds the image (-U); the bitmaps then
     *     show the in-use flag the running writer set
     */
    public ImageInfo info(Path image, String format, boolean forceShare) throws IOException {
        List<String> args = new ArrayList<>(List.of("info", "--output=json"));
        if (forceShare) {
            args.add("-U");
        }
        if (format != null) {
            args.addAll(List.of("-f", format));
        }
        args.add("--");
        args.add(name(image));
        String json = read(args);
        try {
            return ImageInfo.parse(json);
        } catch (IOException e) {
            throw new QemuImgException("info", e.getMessage());
        }
    }

    public ImageInfo info(Path image, boolean forceShare) throws IOException {
        return info(image, null, forceShare);
    }

    public ImageInfo info(Path image) throws IOException {
        return info(image, null, false);
    }

    /**
     * True when the image holds data of its own rather than only reading through to its backing:
     * {@code qemu-img map} shows an extent present at depth 0 (data, or zeroes written over the
     * backing). The backing chain is opened, so it must be reachable.
     */
    public boolean hasOwnData(Path image, String format) throws IOException {
        String json = read(List.of("map", "--output=json", "-f", format, "--", name(image)));
        JsonNode extents = Lazy.JSON.readTree(json);
        if (extents == null || !extents.isArray()) {
            throw new QemuImgException("map", "unexpected output: " + json.strip());
        }
        for (JsonNode e : extents) {
            if (e.path("depth").asInt(-1) == 0 && e.path("present").asBoolean(true)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Bytes of data stored in a qcow2 image itself: its backing file is not opened at all (a
     * {@code json:} spec with a null backing), so an incremental's own size is measured even when
     * its backing is gone.
     */
    public long ownDataBytes(Path qcow2) throws IOException {
        ObjectNode spec = Lazy.JSON.createObjectNode().put("driver", "qcow2");
        spec.putObject("file").put("driver", "file").put("filename", qcow2.toAbsolutePath().toString());
        spec.putNull("backing");
        String json = read(List.of("map", "--output=json", "--", "json:" + Lazy.JSON.writeValueAsString(spec)));
        JsonNode extents = Lazy.JSON.readTree(json);
        if (extents == null || !extents.isArray()) {
            throw new QemuImgException("map", "unexpected output: " + json.strip());
        }
        long total = 0;
        for (JsonNode e : extents) {
            if (e.path("data").asBoolean() && e.path("depth").asInt(-1) == 0) {
                total += e.path("length").asLong();
            }
        }
        return total;
    }

    /**
     * Adds a persistent bitmap to an image that is not in use.
     *
     * @param granularity bytes, or null for the default
     * @param enabled whether it records writes from now on (the qcow2 auto flag)
     */
    public void bitmapAdd(Path image, String name, Long granularity, boolean enabled) throws IOException {
        List<String> args = new ArrayList<>(List.of("bitmap", "--add"));
        if (granularity != null) {
            args.addAll(List.of("-g", Long.toString(granularity)));
        }
        if (!enabled) {
            args.add("--disable");
        }
        args.addAll(List.of("-f", "qcow2", "--", name(image), name));
        change(args);
    }

    public void bitmapRemove(Path image, String name) throws IOException {
        change(bitmapArgs("--remove", image, name));
    }

    public void bitmapEnable(Path image, String name) throws IOException {
        change(bitmapArgs("--enable", image, name));
    }

    public void bitmapDisable(Path image, String name) throws IOException {
        change(bitmapArgs("--disable", image, name));
    }

    /** A checkpoint name may start with '-', which qemu-img would take for an option before the {@code --}. */
    private static List<String> bitmapArgs(String op, Path image, String name) {
        return List.of("bitmap", op, "-f", "qcow2", "--", name(image), name);
    }

    /**
     * The result of {@code qemu-img check}.
     *
     * @param corruptions errors found (0 for a sound image)
     * @param leaks leaked clusters (harmless but wasteful)
     * @param output qemu-img's JSON report
     */
    public record CheckResult(long corruptions, long leaks, String output) {
        public boolean clean() {
            return corruptions == 0 && leaks == 0;
        }
    }

    /**
     * Checks image consistency. qemu-img exits 2 for corruption and 3 for leaks; both are
     * results, not failures of the tool, so they come back in the record.
     */
    public CheckResult check(Path image) throws IOException {
        Result r = exec(List.of("check", "--output=json", "--", name(image)), null);
        if (r.exit() != 0 && r.exit() != 2 && r.exit() != 3) {
            throw failure("check", r);
        }
        JsonNode n = Lazy.JSON.readTree(r.stdout());
        return new CheckResult(n.path("corruptions").asLong() + n.path("check-errors").asLong(),
                n.path("leaks").asLong(), r.stdout());
    }

    /**
     * An image's name as qemu-img gets it: absolute, so that it starts with '/' and qemu-img never
     * reads "nbd:..." or "json:..." in it as a protocol.
     */
    static String name(Path image) {
        return image.toAbsolutePath().toString();
    }

    record Result(int exit, String stdout, String stderr) {}

    private String read(List<String> args) throws IOException {
        Result r = exec(args, null);
        if (r.exit() != 0) {
            throw failure(args.get(0), r);
        }
        return r.stdout();
    }

    /** Commands that change an image are steps a crash test kills around; reading ones are not. */
    private void change(List<String> args) throws IOException {
        String point = "img:" + args.get(0) + " " + args.get(1);
        CrashPoints.before(point);
        read(args);
        CrashPoints.after(point);
    }

    private static QemuImgException failure(String command, Result r) {
        String msg = r.stderr().strip().replace("qemu-img: ", "").replace('\n', ' ');
        return new QemuImgException(command, msg.isEmpty() ? "qemu-img exited with status " + r.exit() : msg);
    }

    /** Runs qemu-img; with {@code progress} null, stdout is collected and the time is limited. */
    Result exec(List<String> args, DoubleConsumer progress) throws IOException {
        if (executable(binary) == null) {
            // Said here: under setpriv a missing binary would only be setpriv's exit status.
            throw new IOException("cannot run '" + binary + "': No such file or directory");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(binary);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(dyingWithParent(cmd))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("LC_ALL", "C");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot run '" + binary + "': " + IoErrors.reason(e), e);
        }
        try {
            StreamDrain err = StreamDrain.start(p.getErrorStream(), MAX_STDERR);
            String out;
            if (progress == null) {
                StreamDrain stdout = StreamDrain.start(p.getInputStream(), MAX_STDOUT);
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new QemuImgTimeoutException("qemu-img " + args.get(0) + " did not finish within "
                            + timeout.toSeconds() + " s");
                }
                out = stdout.text();
            } else {
                out = readProgress(p.getInputStream(), progress);
                p.waitFor();
            }
            return new Result(p.exitValue(), out, err.text());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for qemu-img " + args.get(0));
        } finally {
            // A no-op after a normal exit; otherwise qemu-img must not outlive the call.
            p.destroyForcibly();
        }
    }

    /**
     * The command run under {@code setpriv --pdeathsig KILL}: the kernel kills qemu-img when the
     * JVM dies, even by SIGKILL, when no shutdown hook or finally block runs. (The signal follows
     * the thread that started the child; every run waits for qemu-img in that thread.) Without
     * setpriv (util-linux), qemu-img runs as it is and dies only with a JVM that exits normally.
     */
    static List<String> dyingWithParent(List<String> cmd) {
        if (Lazy.SETPRIV == null) {
            return cmd;
        }
        List<String> out = new ArrayList<>(List.of(Lazy.SETPRIV, "--pdeathsig", "KILL", "--"));
        out.addAll(cmd);
        return out;
    }

    /** The program as the kernel would find it (a path, or a name looked up on PATH), or null. */
    private static String executable(String program) {
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program)) ? program : null;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p)) {
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
            this.thread = new Thread(this, "qemu-img-output");
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
