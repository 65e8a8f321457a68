package io.backpoint.qemu.restore;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.xml.XmlInput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A backup file's length and the SHA-256 of its bytes: recorded when the job completes, checked
 * by restore, so that a file that is not what the job wrote (truncated, altered, replaced) is
 * refused rather than restored. One digest of the whole file, not per cluster: restore reads
 * every backup whole anyway, and the file is read once more at each end (see the report in
 * bench/record-digest.sh for what that costs).
 *
 * @param size the file's length in bytes
 * @param sha256 lower-case hex
 */
public record FileContent(long size, String sha256) {
    private static final int BUFFER = 1 << 20;

    /** Reads the whole file. READ_FAILED naming it when it cannot be read. */
    public static FileContent of(Path file) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
        long size = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
            int n;
            while ((n = ch.read(buf)) != -1) {
                size += n;
                buf.flip();
                sha.update(buf);
                buf.clear();
            }
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.READ_FAILED,
                    "cannot read backup '" + file + "': " + XmlInput.reason(e), e);
        }
        return new FileContent(size, HexFormat.of().formatHex(sha.digest()));
    }
}
