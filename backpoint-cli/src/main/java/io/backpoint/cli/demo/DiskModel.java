package io.backpoint.cli.demo;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a disk should hold, kept independently of QEMU: every write the demo makes fills whole
 * 64 KiB chunks with one byte, so the model is a map from chunk to byte (absent = zero). Its
 * SHA-256 is what a restored disk must hash to.
 */
final class DiskModel {
    static final int CHUNK = 64 * 1024;

    private final long size;
    private final Map<Long, Byte> chunks = new HashMap<>();
    /** Chunks written since each checkpoint was taken, by checkpoint name. */
    private final Map<String, TreeSet<Long>> dirtySince = new HashMap<>();

    DiskModel(long size) {
        if (size % CHUNK != 0) {
            throw new IllegalArgumentException("disk size must be a multiple of 64 KiB");
        }
        this.size = size;
    }

    long size() {
        return size;
    }

    void write(long offset, long length, int pattern) {
        if (offset % CHUNK != 0 || length % CHUNK != 0 || offset + length > size) {
            throw new IllegalArgumentException("demo writes are whole chunks inside the disk");
        }
        for (long c = offset / CHUNK; c < (offset + length) / CHUNK; c++) {
            chunks.put(c, (byte) pattern);
            for (TreeSet<Long> dirty : dirtySince.values()) {
                dirty.add(c);
            }
        }
    }

    void checkpoint(String name) {
        dirtySince.put(name, new TreeSet<>());
    }

    /** Bytes written since the checkpoint (each chunk counted once). */
    long dirtyBytes(String checkpoint) {
        return (long) dirtySince.get(checkpoint).size() * CHUNK;
    }

    DiskModel copy() {
        DiskModel m = new DiskModel(size);
        m.chunks.putAll(chunks);
        return m;
    }

    String sha256() {
        MessageDigest md = digest();
        byte[] zero = new byte[CHUNK];
        byte[] filled = new byte[CHUNK];
        for (long c = 0; c < size / CHUNK; c++) {
            Byte b = chunks.get(c);
            if (b == null) {
                md.update(zero);
            } else {
                java.util.Arrays.fill(filled, b);
                md.update(filled);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
