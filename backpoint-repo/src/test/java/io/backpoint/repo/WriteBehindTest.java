package io.backpoint.repo;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write-back error seen by the early fdatasync is not lost: Linux reports it to one fsync only,
 * so the publisher's later fsync could succeed over data that never reached the disk (EIO on a
 * failing device cannot be made on demand, hence a channel whose force fails).
 */
class WriteBehindTest {
    @TempDir
    Path dir;

    @Test
    void anErrorOfTheEarlyFdatasyncFailsTheRestore() throws Exception {
        try (FileChannel real = FileChannel.open(dir.resolve("out"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            WriteBehind writeBehind = new WriteBehind(new FailingForce(real));
            try (writeBehind) {
                writeBehind.wrote(WriteBehind.EVERY);
            }
            assertThatThrownBy(writeBehind::check).isInstanceOf(IOException.class)
                    .hasMessageContaining("writing the restored data back to disk failed: EIO");
        }
    }

    @Test
    void noErrorNoThrow() throws Exception {
        try (FileChannel real = FileChannel.open(dir.resolve("out"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            WriteBehind writeBehind = new WriteBehind(real);
            try (writeBehind) {
                writeBehind.wrote(WriteBehind.EVERY);
            }
            assertThatCode(writeBehind::check).doesNotThrowAnyException();
        }
    }

    /** A file channel whose fdatasync reports a write-back error. */
    private static final class FailingForce extends FileChannel {
        private final FileChannel real;

        FailingForce(FileChannel real) {
            this.real = real;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            throw new IOException("EIO");
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return real.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return real.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return real.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return real.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return real.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() {
        }
    }
}
