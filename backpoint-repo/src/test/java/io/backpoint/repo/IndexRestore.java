package io.backpoint.repo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Test access to a snapshot's data straight from its index (each chunk read and checked against
 * its id by the repository), independent of the restore command.
 */
public final class IndexRestore {
    private IndexRestore() {
    }

    /** SHA-256 of the disk as the index describes it. */
    public static String sha256(Repository repo, DiskIndex index) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (long i = 0; i < index.chunks().size(); i++) {
            md.update(chunk(repo, index, i));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Writes the disk as a sparse raw file. */
    public static void restore(Repository repo, DiskIndex index, Path out) throws IOException {
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long i = 0; i < index.chunks().size(); i++) {
                if (index.chunk(i).isPresent()) {
                    ByteBuffer b = ByteBuffer.wrap(chunk(repo, index, i));
                    long at = i * index.chunkSize();
                    while (b.hasRemaining()) {
                        at += ch.write(b, at);
                    }
                }
            }
            ch.truncate(index.size());
            if (ch.size() < index.size()) {
                ch.write(ByteBuffer.allocate(1), index.size() - 1);
            }
        }
    }

    private static byte[] chunk(Repository repo, DiskIndex index, long i) {
        int length = index.chunkLength(i);
        return index.chunk(i).map(repo::readChunk).orElseGet(() -> new byte[length]);
    }
}
