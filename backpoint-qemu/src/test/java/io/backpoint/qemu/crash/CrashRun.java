package io.backpoint.qemu.crash;

import io.backpoint.api.Connection;
import io.backpoint.util.CrashPoints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The child JVM of the crash tests: runs one {@link CrashOps} operation, appending each crash
 * point it reaches to a file; at point number {@code kill} it sends itself SIGKILL, so nothing
 * after that point runs (no finally block, no shutdown hook). With {@code kill} -1 it runs to
 * the end: the file then lists every point, which is how the test enumerates them.
 *
 * <p>Arguments: URI, operation, kill index, points file, output directory.
 */
public final class CrashRun {
    static final int DONE = 0;

    private CrashRun() {}

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String op = args[1];
        int kill = Integer.parseInt(args[2]);
        Path points = Path.of(args[3]);
        Path out = Path.of(args[4]);
        long pid = ProcessHandle.current().pid();
        AtomicInteger next = new AtomicInteger();
        CrashPoints.install(point -> {
            int i = next.getAndIncrement();
            try {
                Files.writeString(points, i + " " + point + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                if (i == kill) {
                    new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
                    Thread.sleep(60_000);
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try (Connection conn = Connection.open(uri)) {
            CrashOps.run(op, conn.domainByName("vm1"), out);
        }
        System.exit(DONE);
    }
}
