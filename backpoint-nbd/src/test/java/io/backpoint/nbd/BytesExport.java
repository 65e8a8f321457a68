package io.backpoint.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An export of an array for the server tests: blocks of {@code block} bytes that are all zero
 * are reported as holes. Optionally fails reads of one range, as a damaged chunk does.
 */
final class BytesExport implements NbdExport {
    private final String name;
    private final byte[] data;
    private final int block;
    final AtomicLong reads = new AtomicLong();
    volatile long failFrom = -1;
    volatile long failTo = -1;

    BytesExport(String name, byte[] data, int block) {
        this.name = name;
        this.data = data;
        this.block = block;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "test export " + name;
    }

    @Override
    public long size() {
        return data.length;
    }

    @Override
    public void read(long offset, ByteBuffer into) throws IOException {
        reads.incrementAndGet();
        if (offset < failTo && offset + into.remaining() > failFrom) {
            throw new IOException("simulated damage at " + failFrom);
        }
        into.put(data, (int) offset, into.remaining());
    }

    @Override
    public List<Extent> allocation(long offset, long length) {
        List<Extent> out = new ArrayList<>();
        long end = Math.min(data.length, offset + length);
        long at = offset;
        while (at < end) {
            long blockEnd = Math.min(data.length, (at / block + 1) * block);
            int flags = zero(at, blockEnd) ? MetaContext.STATE_HOLE | MetaContext.STATE_ZERO : 0;
            Extent.append(out, at, blockEnd - at, flags);
            at = blockEnd;
        }
        return out;
    }

    private boolean zero(long from, long to) {
        for (long i = from; i < to; i++) {
            if (data[(int) i] != 0) {
                return false;
            }
        }
        return true;
    }
}
