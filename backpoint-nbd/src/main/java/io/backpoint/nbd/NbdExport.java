package io.backpoint.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * What {@link NbdServer} serves: a read-only array of bytes with an allocation map. Backpoint
 * serves snapshot disks of a repository; tests serve a file.
 */
public interface NbdExport {
    /** The export name clients ask for (NBD_OPT_GO). */
    String name();

    /** Free text shown by {@code nbdinfo --list}; may be empty. */
    default String description() {
        return "";
    }

    long size();

    /**
     * Fills {@code into} from its position to its limit with the bytes at {@code offset}. The
     * range is inside the export. Throws when the bytes cannot be produced correctly: the client
     * gets EIO, never wrong data.
     */
    void read(long offset, ByteBuffer into) throws IOException;

    /**
     * The {@code base:allocation} status of {@code [offset, offset + length)}: extents in order,
     * contiguous, starting at {@code offset}, together covering at least one byte of it (they may
     * stop early; a client asks again). Flags are {@link MetaContext#STATE_HOLE} and
     * {@link MetaContext#STATE_ZERO}; a read of an extent with STATE_ZERO must return zeroes.
     */
    List<Extent> allocation(long offset, long length) throws IOException;
}
