package io.backpoint.nbd;

import java.nio.file.Path;

/**
 * Command-line driver for bench/nbd-copy.sh: a FULL copy from one unix-socket export to
 * another. Prints one line: data bytes, seconds, MiB/s, measured around the copy only.
 * Usage: NbdCopyBench SRC_SOCKET DST_SOCKET [IN_FLIGHT] [CHUNK_BYTES]
 */
public final class NbdCopyBench {
    private NbdCopyBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: NbdCopyBench SRC_SOCKET DST_SOCKET [IN_FLIGHT] [CHUNK_BYTES]");
            System.exit(2);
        }
        int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : NbdCopier.DEFAULT_IN_FLIGHT;
        int chunk = args.length > 3 ? Integer.parseInt(args[3]) : NbdCopier.DEFAULT_CHUNK;
        NbdConnectOptions opts = NbdConnectOptions.defaults().withMetaContexts(MetaContext.BASE_ALLOCATION);
        try (NbdClient src = NbdClient.connectUnix(Path.of(args[0]), opts);
                NbdClient dst = NbdClient.connectUnix(Path.of(args[1]), opts)) {
            CopyResult r = NbdCopier.full().inFlight(inFlight).chunkSize(chunk).copy(src, dst);
            System.out.printf("data_bytes=%d seconds=%.3f mib_per_s=%.1f%n", r.dataBytes(),
                    r.elapsed().toNanos() / 1e9, r.dataMibPerSecond());
        }
    }
}
