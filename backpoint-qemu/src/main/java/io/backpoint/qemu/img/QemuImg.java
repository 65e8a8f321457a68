package io.backpoint.qemu.img;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpoint.util.CrashPoints;
import io.backpoint.util.IoErrors;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The qemu-img binary: create images, read their info and offline bitmap state, change bitmaps
 * of an image no one has open. Failures are IOExceptions carrying qemu-img's own message.
 */
public final class QemuImg {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String binary;
    private final Duration timeout;

    /** Uses {@code qemu-img} from PATH. */
    public QemuImg() {
        this("qemu-img", Duration.ofMinutes(10));
    }

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
        create(image, format, sizeBytes, backing == null ? null : backing.toString(), backingFormat);
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
        args.add(image.toString());
        if (sizeBytes >= 0) {
            args.add(Long.toString(sizeBytes));
        }
        run(args);
    }

    /**
     * Converts an image to a new file in another format, keeping holes; it replaces the target, so
     * callers convert into a temporary name of their own. Used by the repository restore for qcow2 outputs.
     */
    public void convert(Path source, String sourceFormat, Path target, String targetFormat) throws IOException {
        run(List.of("convert", "-q", "-W", "-f", sourceFormat, "-O", targetFormat, source.toString(),
                target.toString()));
    }

    /** Shorthand for an image without backing file. */
    public void create(Path image, String format, long sizeBytes) throws IOException {
        create(image, format, sizeBytes, (String) null, null);
    }

    /**
     * Reads image info.
     *
     * @param forceShare read even while a running QEMU holds the image (-U); the bitmaps then
     *     show the in-use flag the running writer set
     */
    public ImageInfo info(Path image, boolean forceShare) throws IOException {
        List<String> args = new ArrayList<>(List.of("info", "--output=json"));
        if (forceShare) {
            args.add("-U");
        }
        args.add("--");
        args.add(image.toString());
        return parseInfo(run(args), image);
    }

    public ImageInfo info(Path image) throws IOException {
        return info(image, false);
    }

    static ImageInfo parseInfo(String json, Path image) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            throw new IOException("qemu-img info of '" + image + "' printed something that is not JSON", e);
        }
        List<ImageInfo.Bitmap> bitmaps = new ArrayList<>();
        for (JsonNode b : n.path("format-specific").path("data").path("bitmaps")) {
            boolean inUse = false;
            boolean auto = false;
            for (JsonNode f : b.path("flags")) {
                inUse |= f.asText().equals("in-use");
                auto |= f.asText().equals("auto");
            }
            bitmaps.add(new ImageInfo.Bitmap(b.path("name").asText(), b.path("granularity").asLong(), inUse, auto));
        }
        return new ImageInfo(n.path("format").asText(), n.path("virtual-size").asLong(),
                n.path("actual-size").asLong(-1), text(n, "backing-filename"), text(n, "backing-filename-format"),
                bitmaps);
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
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
        args.addAll(List.of("-f", "qcow2", "--", image.toString(), name));
        run(args);
    }

    public void bitmapRemove(Path image, String name) throws IOException {
        run(bitmapArgs("--remove", image, name));
    }

    public void bitmapEnable(Path image, String name) throws IOException {
        run(bitmapArgs("--enable", image, name));
    }

    public void bitmapDisable(Path image, String name) throws IOException {
        run(bitmapArgs("--disable", image, name));
    }

    /**
     * {@code qemu-img bitmap OP -f qcow2 -- IMAGE NAME}: a checkpoint name may start with '-',
     * which qemu-img would take for an option before the {@code --}.
     */
    private static List<String> bitmapArgs(String op, Path image, String name) {
        return List.of("bitmap", op, "-f", "qcow2", "--", image.toString(), name);
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
        Result r = exec(List.of("check", "--output=json", "--", image.toString()));
        if (r.exit() != 0 && r.exit() != 2 && r.exit() != 3) {
            throw failure(List.of("check"), r);
        }
        JsonNode n = JSON.readTree(r.stdout());
        return new CheckResult(n.path("corruptions").asLong() + n.path("check-errors").asLong(),
                n.path("leaks").asLong(), r.stdout());
    }

    private record Result(int exit, String stdout, String stderr) {}

    private String run(List<String> args) throws IOException {
        // Commands that change an image are steps a crash test kills around; reading ones are not.
        boolean changes = !args.get(0).equals("info");
        if (changes) {
            CrashPoints.before("img:" + args.get(0) + " " + args.get(1));
        }
        Result r = exec(args);
        if (r.exit() != 0) {
            throw failure(args, r);
        }
        if (changes) {
            CrashPoints.after("img:" + args.get(0) + " " + args.get(1));
        }
        return r.stdout();
    }

    private static IOException failure(List<String> args, Result r) {
        String msg = r.stderr().strip();
        if (msg.isEmpty()) {
            msg = "exit status " + r.exit();
        }
        return new IOException("qemu-img " + args.get(0) + " failed: " + msg);
    }

    private Result exec(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary);
        cmd.addAll(args);
        Path out = Files.createTempFile("qemu-img", ".out");
        Path err = Files.createTempFile("qemu-img", ".err");
        try {
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            } catch (IOException e) {
                throw new IOException("cannot run '" + binary + "': " + IoErrors.reason(e), e);
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("qemu-img " + args.get(0) + " did not finish within " + timeout.toSeconds() + " s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for qemu-img");
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
