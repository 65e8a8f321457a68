package io.backpoint.cli.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the guest's writer promised, checked on a restored image without mounting it: debugfs
 * copies the journal and the files out, and every file the journal names must hold exactly the
 * writer's pattern, with the journaled checksum.
 */
public final class JournaledFiles {
    private static final Pattern LINE = Pattern.compile("f(\\d+) ([0-9a-f]{64})");

    private JournaledFiles() {}

    public record Entry(int n, String sha256) {}

    /** What the writer puts in file N (guest/writer: `yes "backpoint file N" | head -c SIZE`). */
    public static byte[] expected(int n) {
        byte[] line = ("backpoint file " + n + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[(n % 16 + 1) * 3000];
        for (int i = 0; i < out.length; i++) {
            out[i] = line[i % line.length];
        }
        return out;
    }

    public static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The journal's entries. Every line must be a complete entry, except that with
     * {@code crashConsistent} a last line without its newline (an append caught half-way, never
     * synced, so never promised) is ignored.
     */
    public static List<Entry> parse(String journal, boolean crashConsistent) {
        List<Entry> out = new ArrayList<>();
        String[] lines = journal.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            boolean last = i == lines.length - 1;
            if (last && lines[i].isEmpty()) {
                break;
            }
            Matcher m = LINE.matcher(lines[i]);
            if (!m.matches()) {
                if (last && crashConsistent) {
                    break;
                }
                throw new AssertionError("journal line " + (i + 1) + " is not an entry: '" + lines[i] + "'");
            }
            out.add(new Entry(Integer.parseInt(m.group(1)), m.group(2)));
        }
        return out;
    }

    /**
     * Whether the image's ext4 superblock says its journal needs replaying: set on disk while the
     * file system is mounted, cleared by a freeze. A quiesced backup must not have it; a
     * crash-consistent backup of a mounted file system does.
     */
    public static boolean needsRecovery(Path rawImage) throws IOException, InterruptedException {
        String header = GuestKit.run(List.of("dumpe2fs", "-h", rawImage.toString()), Duration.ofMinutes(1));
        for (String line : header.split("\n")) {
            if (line.startsWith("Filesystem features:")) {
                return List.of(line.substring("Filesystem features:".length()).trim().split("\\s+")).contains("needs_recovery");
            }
        }
        throw new AssertionError("dumpe2fs -h " + rawImage + " shows no file system features");
    }

    /**
     * Checks every journaled file of a raw ext4 image; returns how many there were.
     *
     * @param work an empty directory for debugfs to copy into
     */
    public static int check(Path rawImage, Path work, boolean crashConsistent) throws IOException, InterruptedException {
        Files.createDirectories(work);
        GuestKit.run(List.of("debugfs", "-R", "rdump /w " + work, rawImage.toString()), Duration.ofMinutes(2));
        GuestKit.run(List.of("debugfs", "-R", "dump /journal " + work.resolve("journal"), rawImage.toString()), Duration.ofMinutes(1));
        List<Entry> entries = parse(Files.readString(work.resolve("journal"), StandardCharsets.ISO_8859_1), crashConsistent);
        for (Entry e : entries) {
            Path f = work.resolve("w").resolve("f" + e.n());
            if (!Files.exists(f)) {
                throw new AssertionError("journaled file f" + e.n() + " is missing from " + rawImage);
            }
            byte[] content = Files.readAllBytes(f);
            if (!sha256(content).equals(e.sha256())) {
                throw new AssertionError("file f" + e.n() + " of " + rawImage + " does not match its journaled checksum");
            }
            if (!java.util.Arrays.equals(content, expected(e.n()))) {
                throw new AssertionError("file f" + e.n() + " of " + rawImage + " does not hold the writer's pattern");
            }
        }
        return entries.size();
    }
}
