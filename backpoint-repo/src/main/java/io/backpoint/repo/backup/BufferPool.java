package io.backpoint.repo.backup;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A fixed number of chunk buffers shared by every disk of a backup: what bounds the memory a
 * backup uses whatever the disk sizes. Buffers are made on first need, then reused.
 */
final class BufferPool {
    private final BlockingQueue<ByteBuffer> free;
    private final int bufferSize;
    private int made;
    private final int max;

    BufferPool(int count, int bufferSize) {
        this.free = new ArrayBlockingQueue<>(count);
        this.bufferSize = bufferSize;
        this.max = count;
    }

    /** A buffer of {@code bufferSize} bytes, cleared; waits while all are in use. */
    ByteBuffer take() throws InterruptedException {
        ByteBuffer b = free.poll();
        if (b == null) {
            synchronized (this) {
                if (made < max) {
                    made++;
                    // Heap: an incremental fills parts of it from base chunks through its array.
                    return ByteBuffer.allocate(bufferSize);
                }
            }
            b = free.take();
        }
        return b.clear();
    }

    void give(ByteBuffer b) {
        free.add(b);
    }
}
