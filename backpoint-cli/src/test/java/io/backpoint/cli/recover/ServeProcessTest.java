package io.backpoint.cli.recover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpoint.error.BackpointException;
import io.backpoint.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
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

    /** The server's log is the owner's alone: created 0600 whatever the umask, tightened if an older run left it looser. */
    @Test
    void theLogIsOwnerOnly() throws Exception {
        Tools.assumeOnPath("setsid", "sh");
        Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
        ServeProcess failing = new ServeProcess(dir, List.of("sh", "-c", "echo started; exit 3"));
        assertThatThrownBy(failing::start).isInstanceOf(BackpointException.class)
                .hasMessageContaining("exited with status 3").hasMessageContaining("started");
        Path log = dir.resolve("serve.log");
        assertThat(Files.getPosixFilePermissions(log)).isEqualTo(ownerOnly);

        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(failing::start).isInstanceOf(BackpointException.class);
        assertThat(Files.getPosixFilePermissions(log)).isEqualTo(ownerOnly);
        assertThat(Files.readString(log)).contains("started\nstarted");
    }
}
