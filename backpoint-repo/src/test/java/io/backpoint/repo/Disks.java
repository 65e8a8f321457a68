package io.backpoint.repo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;

/** Disk contents for tests, and the one way tests write them into a repository. */
final class Disks {
    private Disks() {
    }

    static byte[] random(long seed, int size) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    /** Mostly holes: a few random 4 KiB islands and one repeated pattern. */
    static byte[] sparse(long seed, int size) {
        byte[] data = new byte[size];
        Random random = new Random(seed);
        for (int i = 0; i < 8 && size > 0; i++) {
            int at = random.nextInt(Math.max(1, size - 4096));
            for (int j = at; j < Math.min(size, at + 4096); j++) {
                data[j] = (byte) random.nextInt();
            }
        }
        return data;
    }

    /** Writes a full snapshot of {@code data} as disk {@code disk}, chunks put from several threads. */
    static Snapshot write(Repository repository, String domain, Instant time, String disk, byte[] data) {
        try (SnapshotWriter writer = repository.newSnapshot(domain, "<domain><name>" + domain + "</name></domain>", time)) {
            put(writer.disk(disk, data.length, DiskMode.FULL, "test", Optional.empty()), data);
            writer.checkpoint("cp-" + time.getEpochSecond(), "<domaincheckpoint/>");
            return writer.commit();
        }
    }

    static void put(DiskWriter writer, byte[] data) {
        int chunkSize = (int) (writer.chunkCount() == 0 ? 1 : writer.chunkLength(0));
        IntStream.range(0, (int) writer.chunkCount()).parallel().forEach(i -> writer.put(i,
                ByteBuffer.wrap(data, i * chunkSize, writer.chunkLength(i))));
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(Path file) throws IOException {
        return sha256(Files.readAllBytes(file));
    }

    /** Blocks the file system really allocated, from stat(1): proves an output is sparse. */
    static long allocatedBytes(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        String[] out = new String(p.getInputStream().readAllBytes()).trim().split(" ");
        p.waitFor();
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }

    static List<Path> filesIn(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.toList();
        }
    }
}
