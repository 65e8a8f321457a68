package io.backpoint.repo;

import com.github.luben.zstd.Zstd;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The stored form of a chunk: a 9-byte header ("BPC", format 1, encoding, plaintext length)
 * then the payload, zstd-compressed only when that is smaller. The id is the SHA-256 of the
 * plaintext, so decoding re-hashes and a flipped bit anywhere is caught.
 */
final class ChunkCodec {
    static final int HEADER = 9;
    private static final byte RAW = 0;
    private static final byte ZSTD = 1;
    private static final int ZSTD_LEVEL = 1; // fast: the disk read, not the ratio, should limit a backup

    private ChunkCodec() {
    }

    static String id(byte[] plaintext, int length) {
        MessageDigest digest = sha256();
        digest.update(plaintext, 0, length);
        return HexFormat.of().formatHex(digest.digest());
    }

    private static final byte[] ZEROS = new byte[64 << 10];

    static boolean isZero(byte[] data, int length) {
        return isZeroRange(data, 0, length);
    }

    /** Arrays.mismatch is vectorised by the JIT: far faster than a byte loop on 4 MiB. */
    static boolean isZeroRange(byte[] data, int offset, int length) {
        for (int done = 0; done < length; done += ZEROS.length) {
            int n = Math.min(ZEROS.length, length - done);
            if (java.util.Arrays.mismatch(data, offset + done, offset + done + n, ZEROS, 0, n) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** Samples taken across a chunk to guess whether compressing it pays. */
    private static final int SAMPLES = 16;
    private static final int SAMPLE = 4096;

    static byte[] encode(byte[] plaintext, int length, Compression compression) {
        if (compression == Compression.ZSTD && worthCompressing(plaintext, length)) {
            byte[] compressed = new byte[(int) Zstd.compressBound(length)];
            long size = Zstd.compressByteArray(compressed, 0, compressed.length, plaintext, 0, length, ZSTD_LEVEL);
            if (!Zstd.isError(size) && size < length) {
                return withHeader(ZSTD, length, compressed, (int) size);
            }
        }
        return withHeader(RAW, length, plaintext, length);
    }

    /**
     * Compresses 16 blocks of 4 KiB spread over the chunk first: random or already compressed
     * data (the common case for disk images of encrypted or media data) then costs 1/64 of a
     * full compression attempt instead of a whole one.
     */
    private static boolean worthCompressing(byte[] plaintext, int length) {
        if (length < SAMPLES * SAMPLE * 4) {
            return true;
        }
        byte[] sample = new byte[SAMPLES * SAMPLE];
        long stride = (length - SAMPLE) / (SAMPLES - 1);
        for (int i = 0; i < SAMPLES; i++) {
            System.arraycopy(plaintext, (int) (i * stride), sample, i * SAMPLE, SAMPLE);
        }
        byte[] out = new byte[(int) Zstd.compressBound(sample.length)];
        long size = Zstd.compressByteArray(out, 0, out.length, sample, 0, sample.length, ZSTD_LEVEL);
        return Zstd.isError(size) || size < sample.length * 0.97;
    }

    /** Checks a stored chunk as {@link #decode} does, without copying a raw payload (verify). */
    static void check(String id, byte[] stored) {
        if (stored.length >= HEADER && stored[4] == RAW && stored[0] == 'B' && stored[1] == 'P' && stored[2] == 'C'
                && stored[3] == 1) {
            int length = ByteBuffer.wrap(stored, 5, 4).getInt();
            if (stored.length - HEADER != length) {
                throw new ChunkDamagedException(id, "wrong size");
            }
            MessageDigest digest = sha256();
            digest.update(stored, HEADER, length);
            if (!HexFormat.of().formatHex(digest.digest()).equals(id)) {
                throw new ChunkDamagedException(id, "content does not match its hash");
            }
            return;
        }
        decode(id, stored);
    }

    /** Decodes and checks a stored chunk; throws {@link ChunkDamagedException} saying what is wrong. */
    static byte[] decode(String id, byte[] stored) {
        if (stored.length < HEADER || stored[0] != 'B' || stored[1] != 'P' || stored[2] != 'C' || stored[3] != 1) {
            throw new ChunkDamagedException(id, "bad header");
        }
        int length = ByteBuffer.wrap(stored, 5, 4).getInt();
        if (length <= 0 || length > RepositoryConfig.MAX_CHUNK_SIZE) {
            throw new ChunkDamagedException(id, "bad length in header");
        }
        byte[] plaintext;
        if (stored[4] == RAW) {
            if (stored.length - HEADER != length) {
                throw new ChunkDamagedException(id, "wrong size");
            }
            plaintext = java.util.Arrays.copyOfRange(stored, HEADER, stored.length);
        } else if (stored[4] == ZSTD) {
            plaintext = new byte[length];
            long size;
            try {
                size = Zstd.decompressByteArray(plaintext, 0, length, stored, HEADER, stored.length - HEADER);
            } catch (RuntimeException e) { // zstd-jni throws ZstdException on corrupt input
                throw new ChunkDamagedException(id, "does not decompress (" + e.getMessage() + ")");
            }
            if (Zstd.isError(size) || size != length) {
                throw new ChunkDamagedException(id, "does not decompress");
            }
        } else {
            throw new ChunkDamagedException(id, "unknown encoding " + stored[4]);
        }
        if (!id(plaintext, length).equals(id)) {
            throw new ChunkDamagedException(id, "content does not match its hash");
        }
        return plaintext;
    }

    private static byte[] withHeader(byte encoding, int length, byte[] payload, int payloadLength) {
        byte[] stored = new byte[HEADER + payloadLength];
        stored[0] = 'B';
        stored[1] = 'P';
        stored[2] = 'C';
        stored[3] = 1;
        stored[4] = encoding;
        ByteBuffer.wrap(stored, 5, 4).putInt(length);
        System.arraycopy(payload, 0, stored, HEADER, payloadLength);
        return stored;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
