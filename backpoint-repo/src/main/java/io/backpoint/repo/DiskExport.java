package io.backpoint.repo;

import io.backpoint.nbd.Extent;
import io.backpoint.nbd.NbdExport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/** One snapshot disk as an NBD export named after the disk. */
final class DiskExport implements NbdExport {
    private final DiskReader reader;

    DiskExport(DiskReader reader) {
        this.reader = reader;
    }

    @Override
    public String name() {
        return reader.disk().name();
    }

    @Override
    public String description() {
        Snapshot s = reader.snapshot();
        return "disk " + reader.disk().name() + " of snapshot " + s.id() + " of " + s.domain();
    }

    @Override
    public long size() {
        return reader.disk().size();
    }

    @Override
    public void read(long offset, ByteBuffer into) throws IOException {
        try {
            reader.read(offset, into);
        } catch (ChunkDamagedException e) {
            // The server sends EIO and logs this line: which chunk, so verify/repair can follow.
            throw new IOException("snapshot " + reader.snapshot().id() + ", disk '" + name() + "': chunk "
                    + e.chunkId() + " " + e.problem(), e);
        }
    }

    @Override
    public List<Extent> allocation(long offset, long length) {
        return reader.allocation(offset, length);
    }
}
