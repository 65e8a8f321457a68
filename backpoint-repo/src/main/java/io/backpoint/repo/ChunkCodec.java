package io.backpoint.repo;

import com.github.luben.zstd.Zstd;
import io.backpoint.repo.storage.ObjectStore;
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

    /** The SHA-256 of the buffer's remaining bytes, in hex; the buffer is not moved. */
    static String id(ByteBuffer plaintext) {
        MessageDigest digest = sha256();
        digest.update(plaintext.duplicate());
        return HexFormat.of().formatHex(digest.digest());
    }

    private static final byte[] ZEROS = new byte[64 << 10];
    private static final ByteBuffer ZERO_BUFFER = ByteBuffer.wrap(ZEROS).asReadOnlyBuffer();

    /** Whether the buffer's remaining bytes are all zero, heap or direct, without copying them. */
    static boolean isZero(ByteBuffer data) {
        for (int at = data.position(); at < data.limit(); at += ZEROS.length) {
            int n = Math.min(ZEROS.length, data.limit() - at);
            if (data.slice(at, n).mismatch(ZERO_BUFFER.slice(0, n)) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** Samples taken across a chunk to guess whether compressing it pays. */
    private static final int SAMPLES = 16;
    private static final int SAMPLE = 4096;
    /** The most the samples may compress to, as a fraction of their size, for a chunk to be compressed. */
    private static final double WORTH = 0.90;

    /**
     * Encodes the buffer's remaining bytes (the buffer is not moved) into one array: the stored
     * form of {@link #encodeParts}, for stores that want it whole.
     */
    static byte[] encode(ByteBuffer plaintext, Compression compression) {
        return ObjectStore.concat(encodeParts(plaintext, compression));
    }

    /**
     * The stored form of the buffer's remaining bytes as buffers to write one after the other
     * (the buffer is not moved). Raw (the common case for random or already compressed data),
     * it is the 9-byte header followed by a view of the caller's own buffer: nothing is copied,
     * so the bytes written are the very bytes the caller hashed. Compressed, it is one new array.
     */
    static ByteBuffer[] encodeParts(ByteBuffer plaintext, Compression compression) {
        int length = plaintext.remaining();
        if (compression == Compression.ZSTD && worthCompressing(plaintext)) {
            byte[] source;
            int offset;
            if (plaintext.hasArray()) {
                source = plaintext.array();
                offset = plaintext.arrayOffset() + plaintext.position();
            } else {
                source = new byte[length];
                plaintext.get(plaintext.position(), source, 0, length);
                offset = 0;
            }
            byte[] compressed = new byte[HEADER + (int) Zstd.compressBound(length)];
            long size = Zstd.compressByteArray(compressed, HEADER, compressed.length - HEADER, source, offset, length,
                    ZSTD_LEVEL);
            if (!Zstd.isError(size) && size < length) {
                return new ByteBuffer[] {ByteBuffer.wrap(header(java.util.Arrays.copyOf(compressed, HEADER + (int) size),
                        ZSTD, length))};
            }
        }
        return new ByteBuffer[] {ByteBuffer.wrap(header(new byte[HEADER], RAW, length)), plaintext.slice()};
    }

    /**
     * Compresses 16 blocks of 4 KiB spread over the chunk first: random or already compressed
     * data (the common case for disk images of encrypted or media data) then costs 1/64 of a
     * full compression attempt instead of a whole one. The samples must save a tenth: a chunk of
     * random data with one small compressible write in it (the usual dirty chunk of an
     * incremental) saved 1-2% when compressed whole, for a full compression, a decompression and a
     * second hash to check it here, and a decompression on every restore. Measured on 236 such
     * chunks: 2.9 s of the workers' time, more than half the incremental's wall time.
     */
    private static boolean worthCompressing(ByteBuffer plaintext) {
        int length = plaintext.remaining();
        if (length < SAMPLES * SAMPLE * 4) {
            return true;
        }
        byte[] sample = new byte[SAMPLES * SAMPLE];
        long stride = (length - SAMPLE) / (SAMPLES - 1);
        for (int i = 0; i < SAMPLES; i++) {
            plaintext.get(plaintext.position() + (int) (i * stride), sample, i * SAMPLE, SAMPLE);
        }
        byte[] out = new byte[(int) Zstd.compressBound(sample.length)];
        long size = Zstd.compressByteArray(out, 0, out.length, sample, 0, sample.length, ZSTD_LEVEL);
        return Zstd.isError(size) || size < sample.length * WORTH;
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

    /**
     * Decodes and checks a stored chunk held in {@code stored} (position to limit) as
     * {@link #decode} does, without allocating: the plaintext of a raw chunk is a view of
     * {@code stored}, a compressed one is decompressed into {@code scratch.apply(length)} (a
     * direct buffer of at least that many bytes, asked for only then). Returns the plaintext,
     * position 0 to its length.
     */
    static ByteBuffer decode(String id, ByteBuffer stored, java.util.function.IntFunction<ByteBuffer> scratchFor) {
        ByteBuffer in = stored.slice();
        if (in.remaining() < HEADER || in.get(0) != 'B' || in.get(1) != 'P' || in.get(2) != 'C' || in.get(3) != 1) {
            throw new ChunkDamagedException(id, "bad header");
        }
        int length = in.getInt(5);
        if (length <= 0 || length > RepositoryConfig.MAX_CHUNK_SIZE) {
            throw new ChunkDamagedException(id, "bad length in header");
        }
        ByteBuffer plaintext;
        if (in.get(4) == RAW) {
            if (in.remaining() - HEADER != length) {
                throw new ChunkDamagedException(id, "wrong size");
            }
            plaintext = in.slice(HEADER, length);
        } else if (in.get(4) == ZSTD) {
            if (!in.isDirect()) {
                return ByteBuffer.wrap(decode(id, bytes(in)));
            }
            ByteBuffer scratch = scratchFor.apply(length);
            long size;
            try {
                size = Zstd.decompressDirectByteBuffer(scratch, 0, length, in, HEADER, in.remaining() - HEADER);
            } catch (RuntimeException e) { // zstd-jni throws ZstdException on corrupt input
                throw new ChunkDamagedException(id, "does not decompress (" + e.getMessage() + ")");
            }
            if (Zstd.isError(size) || size != length) {
                throw new ChunkDamagedException(id, "does not decompress");
            }
            plaintext = scratch.slice(0, length);
        } else {
            throw new ChunkDamagedException(id, "unknown encoding " + in.get(4));
        }
        if (!id(plaintext).equals(id)) {
            throw new ChunkDamagedException(id, "content does not match its hash");
        }
        return plaintext;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** Decodes and checks a stored chunk; throws {@link ChunkDamagedException} saying what is wrong. */
    static byte[] decode(String id, byte[] stored) {
        int length = length(id, stored);
        byte[] plaintext = new byte[length];
        decodeInto(id, stored, plaintext, 0, length);
        return plaintext;
    }

    /**
     * Decodes and checks a stored chunk of {@code expected} plaintext bytes into {@code into} at
     * {@code offset}, so a caller with a buffer of its own needs no chunk-sized allocation. The
     * hash is checked over the bytes where they landed; throws {@link ChunkDamagedException}
     * (with {@code into} then holding undefined bytes) when it does not match or the chunk is not
     * {@code expected} bytes long.
     */
    static void decodeInto(String id, byte[] stored, byte[] into, int offset, int expected) {
        int length = length(id, stored);
        if (length != expected) {
            throw new ChunkDamagedException(id, "has " + length + " bytes where " + expected + " are needed");
        }
        if (stored[4] == RAW) {
            if (stored.length - HEADER != length) {
                throw new ChunkDamagedException(id, "wrong size");
            }
            System.arraycopy(stored, HEADER, into, offset, length);
        } else if (stored[4] == ZSTD) {
            long size;
            try {
                size = Zstd.decompressByteArray(into, offset, length, stored, HEADER, stored.length - HEADER);
            } catch (RuntimeException e) { // zstd-jni throws ZstdException on corrupt input
                throw new ChunkDamagedException(id, "does not decompress (" + e.getMessage() + ")");
            }
            if (Zstd.isError(size) || size != length) {
                throw new ChunkDamagedException(id, "does not decompress");
            }
        } else {
            throw new ChunkDamagedException(id, "unknown encoding " + stored[4]);
        }
        MessageDigest digest = sha256();
        digest.update(into, offset, length);
        if (!HexFormat.of().formatHex(digest.digest()).equals(id)) {
            throw new ChunkDamagedException(id, "content does not match its hash");
        }
    }

    /** The plaintext length a stored chunk's header gives, checked to be plausible. */
    private static int length(String id, byte[] stored) {
        if (stored.length < HEADER || stored[0] != 'B' || stored[1] != 'P' || stored[2] != 'C' || stored[3] != 1) {
            throw new ChunkDamagedException(id, "bad header");
        }
        int length = ByteBuffer.wrap(stored, 5, 4).getInt();
        if (length <= 0 || length > RepositoryConfig.MAX_CHUNK_SIZE) {
            throw new ChunkDamagedException(id, "bad length in header");
        }
        return length;
    }

    /** Fills in the header of a stored form whose payload is already in place behind it. */
    private static byte[] header(byte[] stored, byte encoding, int length) {
        stored[0] = 'B';
        stored[1] = 'P';
        stored[2] = 'C';
        stored[3] = 1;
        stored[4] = encoding;
        ByteBuffer.wrap(stored, 5, 4).putInt(length);
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
