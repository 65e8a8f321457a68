package io.backpoint.image.restore;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.util.IoErrors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A backup file's length and the CRC-32C of its bytes: recorded when the job completes, checked
 * by restore, so that a file that is not what the job wrote (truncated, altered, replaced) is
 * refused rather than restored. One checksum of the whole file: restore reads every backup whole
 * anyway, and the file is read once more at each end.
 *
 * <p>Why CRC-32C and not SHA-256: the record lies beside the file, so whoever can alter the file
 * on purpose can rewrite the record too, and no digest stored there stops them; what the check
 * is for is truncation (the length) and damage (CRC-32C catches every burst up to 32 bits and all
 * but 2^-32 of other corruptions). And the cost: on 1 GiB, SHA-256 took 13 s in a JVM with C2
 * and 103 s in the CLI's C1-only JVM (a loaded 2-core machine), CRC-32C about 1 s in either
 * (it is a CPU instruction the JIT uses at every tier); see bench/record-digest.sh.
 *
 * @param size the file's length in bytes
 * @param crc32c the CRC-32C of its bytes, 8 lower-case hex digits
 */
public record FileContent(long size, String crc32c) {
    private static final int BUFFER = 1 << 20;

    /** Reads the whole file. READ_FAILED naming it when it cannot be read. */
    public static FileContent of(Path file) {
        CRC32C crc = new CRC32C();
        long size = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
            int n;
            while ((n = ch.read(buf)) != -1) {
                size += n;
                buf.flip();
                crc.update(buf);
                buf.clear();
            }
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.READ_FAILED,
                    "cannot read backup '" + file + "': " + IoErrors.reason(e), e);
        }
        return new FileContent(size, String.format("%08x", crc.getValue()));
    }
}
