package io.backpoint.cli.recover;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.image.img.QemuImg;
import io.backpoint.repo.Repository;
import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import io.backpoint.util.CrashPoints;
import io.backpoint.vocab.DomainState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Systematic: a recover call dies at each of its own steps in turn (every file it writes, each
 * overlay, define, start, each block-stream); the next call must finish the recovery, and its
 * disks must equal the restore.
 */
@QemuTest
class RecoverCrashQemuTest {
    /** What a kill looks like to the code under test: it stops there, nothing after runs. */
    private static final class Killed extends Error {
        private static final long serialVersionUID = 1L;

        Killed(String point) {
            super(point);
        }
    }

    @TempDir
    Path root;

    private RecoverFixture fx;
    private final List<StorageDaemonServer> servers = new ArrayList<>();
    private final PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    @BeforeEach
    void setUp() throws Exception {
        Tools.assumeOnPath("qemu-system-x86_64", "qemu-img", "qemu-storage-daemon");
        fx = new RecoverFixture(root);
    }

    @AfterEach
    void tearDown() {
        CrashPoints.install(null);
        if (fx != null) {
            fx.close();
        }
        servers.forEach(StorageDaemonServer::stop);
    }

    private Recovery recovery(String name) {
        Path dir = root.resolve(name);
        RecoverState state = new RecoverSetup(fx.conn, out)
                .prepare(dir, name, "src:latest", () -> Repository.open(fx.repo.toString()), fx.repo.toString());
        StorageDaemonServer server = servers.stream().filter(s -> s.socket().startsWith(dir)).findFirst().orElseGet(() -> {
            StorageDaemonServer s = new StorageDaemonServer(dir.resolve("serve.sock"), fx.restored);
            servers.add(s);
            return s;
        });
        return new Recovery(fx.conn, state, RecoverSetup.xmlFile(dir, name), server, new Overlays(new QemuImg()), out, 0);
    }

    @Test
    void aCallKilledAtAnyStepIsFinishedByTheNext() throws Exception {
        List<String> points = new ArrayList<>();
        // Recover's own steps; the driver's (inside define and start) have their own crash tests,
        // and an Error thrown in them would leave a monitor connection open that a kill closes.
        CrashPoints.install(p -> {
            String step = p.replace("probe", "NAME");
            if (step.contains("recover") || step.contains("NAME.xml") || step.contains("block-stream")) {
                points.add(step);
            }
        });
        recovery("probe").advance();
        CrashPoints.install(null);
        fx.conn.domainByName("probe").destroy();
        assertThat(points).contains("write:recover.json", "write:NAME.xml", "recover:overlay:vda", "recover:define", "recover:start",
                "qmp:block-stream", "qmp:block-stream:done");

        for (int i = 0; i < points.size(); i++) {
            String point = points.get(i);
            String name = "k" + i;
            CrashPoints.install(p -> {
                if (p.replace(name, "NAME").equals(point)) {
                    throw new Killed(p);
                }
            });
            try {
                recovery(name).advance();
                throw new AssertionError("no crash at " + point);
            } catch (Killed expected) {
                // the call died at this point
            } finally {
                CrashPoints.install(null);
            }
            Recovery next = recovery(name);
            next.advance();
            assertThat(next.await(new PullProgress(out, false), () -> false)).as(point).isTrue();
            assertThat(fx.conn.domainByName(name).state()).as(point).isEqualTo(DomainState.RUNNING);
            fx.conn.domainByName(name).destroy();
            for (String d : List.of("vda", "vdb")) {
                Path overlay = root.resolve(name).resolve(name + "-" + d + ".qcow2");
                assertThat(new QemuImg().info(overlay).backingFilename()).as(point + " " + d).isNull();
                assertThat(RecoverFixture.compare(overlay, fx.restored.get(d))).as(point + " " + d).isZero();
            }
        }
    }
}
