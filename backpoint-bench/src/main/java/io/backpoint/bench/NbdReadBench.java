package io.backpoint.bench;

import io.backpoint.nbd.NbdClient;
import io.backpoint.nbd.NbdConnectOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * Reads of an NBD export on a unix socket, the same way whatever serves it, so bench/serve.sh
 * can put {@code backpoint serve} and qemu-nbd of the restored file side by side:
 * random 4 KiB reads one at a time (latency percentiles), then the whole export in 2 MiB reads,
 * 8 in flight (throughput).
 *
 * <p>java -cp benchmarks.jar io.backpoint.bench.NbdReadBench SOCKET EXPORT RANDOM_READS SEED
 */
public final class NbdReadBench {
    private NbdReadBench() {
    }

    public static void main(String[] args) throws IOException {
        Path socket = Path.of(args[0]);
        String export = args[1];
        int count = Integer.parseInt(args[2]);
        long seed = Long.parseLong(args[3]);
        try (NbdClient client = NbdClient.connectUnix(socket, NbdConnectOptions.export(export))) {
            long size = client.size();
            Random random = new Random(seed);
            long[] micros = new long[count];
            ByteBuffer buf = ByteBuffer.allocate(4096);
            for (int i = 0; i < count; i++) {
                long offset = (long) (random.nextDouble() * (size / 4096)) * 4096;
                long t0 = System.nanoTime();
                NbdClient.await(client.readAsync(offset, buf.clear()));
                micros[i] = (System.nanoTime() - t0) / 1000;
            }
            Arrays.sort(micros);
            System.out.printf("random4k_p50_us %d%nrandom4k_p99_us %d%nrandom4k_mean_us %d%n",
                    micros[count / 2], micros[Math.min(count - 1, count * 99 / 100)],
                    Arrays.stream(micros).sum() / count);
            int request = 2 << 20;
            ArrayDeque<CompletableFuture<ByteBuffer>> inFlight = new ArrayDeque<>();
            long t0 = System.nanoTime();
            for (long at = 0; at < size; at += request) {
                if (inFlight.size() == 8) {
                    NbdClient.await(inFlight.poll());
                }
                inFlight.add(client.readAsync(at, ByteBuffer.allocate((int) Math.min(request, size - at))));
            }
            while (!inFlight.isEmpty()) {
                NbdClient.await(inFlight.poll());
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("sequential_mib_s %.1f%n", size / seconds / (1 << 20));
        }
    }
}
