package io.backpoint.cli.recover;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpoint.error.BackpointException;
import io.backpoint.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A serve process whose start is given up (here interrupted while its socket never appears) is
 * killed with what it started and its record removed: no detached server is left holding the
 * repository.
 */
class ServeProcessTest {
    @TempDir
    Path dir;

    @Test
    void aStartGivenUpLeavesNoServerBehind() throws Exception {
        Tools.assumeOnPath("setsid", "sh", "sleep");
        // A "server" that runs and never makes its socket; the socket options land in $1 and $2.
        ServeProcess serve = new ServeProcess(dir, List.of("sh", "-c", "sleep 600; true"));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread starter = new Thread(() -> {
            try {
                serve.start();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        starter.start();
        Path state = dir.resolve(ServeProcess.STATE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(state)) {
            assertThat(System.nanoTime()).as("serve.json is written").isLessThan(deadline);
            Thread.sleep(20);
        }
        long pid = new ObjectMapper().readTree(state.toFile()).path("pid").asLong();
        List<ProcessHandle> started = ProcessHandle.of(pid).map(h -> {
            List<ProcessHandle> all = new java.util.ArrayList<>(List.of(h));
            h.descendants().forEach(all::add);
            return all;
        }).orElseThrow();
        try {
            starter.interrupt();
            starter.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(failure.get()).isInstanceOf(BackpointException.class).hasMessageContaining("cannot start the serve process");
            for (ProcessHandle h : started) {
                CompletableFuture<ProcessHandle> exit = h.onExit();
                assertThat(exit.get(30, TimeUnit.SECONDS).isAlive()).as("pid %d ended", h.pid()).isFalse();
            }
            assertThat(state).doesNotExist();
            assertThat(serve.alive()).isFalse();
        } finally {
            started.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
