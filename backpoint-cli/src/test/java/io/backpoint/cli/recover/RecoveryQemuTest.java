package io.backpoint.cli.recover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.api.Domain;
import io.backpoint.error.BackpointException;
import io.backpoint.image.img.QemuImg;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.repo.Repository;
import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import io.backpoint.vocab.DomainState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recovery engine on real QEMU with an independent NBD server (qemu-storage-daemon serving
 * the restored disks): the VM runs before its disks are copied, the copy completes into
 * overlays that equal the restore and have no backing, guest writes made meanwhile survive, and
 * a killed server stops the copy visibly until the next call resumes it.
 */
@QemuTest
class RecoveryQemuTest {
    /** Slow enough that the copy of 96 MiB is still running when the test looks. */
    private static final long BANDWIDTH = 8 * RecoverFixture.MIB;

    @TempDir
    Path root;

    private RecoverFixture fx;
    private StorageDaemonServer server;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws Exception {
        Tools.assumeOnPath("qemu-system-x86_64", "qemu-img", "qemu-storage-daemon");
        fx = new RecoverFixture(root);
    }

    @AfterEach
    void tearDown() {
        if (fx != null) {
            fx.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    private Recovery recovery(Path dir, long bandwidth) {
        RecoverState state = new RecoverSetup(fx.conn, new PrintStream(out, true, StandardCharsets.UTF_8))
                .prepare(dir, "rec", "src:latest", () -> Repository.open(fx.repo.toString()), fx.repo.toString());
        if (server == null) {
            server = new StorageDaemonServer(dir.resolve("serve.sock"), fx.restored);
        }
        return new Recovery(fx.conn, state, RecoverSetup.xmlFile(dir, "rec"), server, new Overlays(new QemuImg()),
                new PrintStream(out, true, StandardCharsets.UTF_8), bandwidth);
    }

    @Test
    void runsAtOnceThenCopiesEveryDiskIntoOverlaysEqualToTheRestore() throws Exception {
        Path dir = root.resolve("rec");
        Recovery recovery = recovery(dir, BANDWIDTH);
        List<RecoverState.Disk> copying = recovery.advance();

        Domain rec = fx.conn.domainByName("rec");
        assertThat(rec.state()).isEqualTo(DomainState.RUNNING);
        assertThat(copying).as("the VM runs before the copy is done").isNotEmpty();
        assertThat(rec.blockJobInfo("vda")).isPresent();
        assertThat(rec.uuid()).isNotBlank();
        // A guest write while the copy runs is the guest's: the copy must not overwrite it.
        TestVm.guestWrite(rec, 0, 0xee, 2 * RecoverFixture.MIB, 64 * 1024);
        Path expectedVda = root.resolve("expected-vda.raw");
        Files.copy(fx.restored.get("vda"), expectedVda);
        Tools.run("qemu-io", "-f", "raw", "-c", "write -P 0xee " + 2 * RecoverFixture.MIB + " 65536", expectedVda.toString());

        assertThat(recovery.await(new PullProgress(new PrintStream(out, true, StandardCharsets.UTF_8), false), () -> false))
                .isTrue();
        assertThat(server.alive()).as("serving stops once no disk depends on it").isFalse();
        assertThat(recovery.advance()).as("a later call has nothing to do").isEmpty();
        rec.destroy();
        QemuImg img = new QemuImg();
        for (RecoverState.Disk d : List.of(disk(dir, "vda"), disk(dir, "vdb"))) {
            assertThat(img.info(d.overlay()).backingFilename()).as(d.name() + " has no backing").isNull();
            assertThat(img.info(d.overlay()).format()).isEqualTo("qcow2");
        }
        assertThat(RecoverFixture.compare(disk(dir, "vda").overlay(), expectedVda)).isZero();
        assertThat(RecoverFixture.compare(disk(dir, "vdb").overlay(), fx.restored.get("vdb"))).isZero();
        assertThat(RecoverFixture.compare(disk(dir, "vda").overlay(), fx.restored.get("vda")))
                .as("the oracle is sharp: the guest's write shows").isEqualTo(1);
        assertThat(new String(out.toByteArray(), StandardCharsets.UTF_8)).contains("Block Pull: [100 %]");
    }

    @Test
    void aKilledServerStopsTheCopyVisiblyAndTheNextCallResumesIt() throws Exception {
        Path dir = root.resolve("rec");
        Recovery recovery = recovery(dir, 4 * RecoverFixture.MIB);
        assertThat(recovery.advance()).isNotEmpty();
        Domain rec = fx.conn.domainByName("rec");
        awaitProgress(rec, "vda", 2 * RecoverFixture.MIB);
        server.kill();

        assertThatThrownBy(() -> recovery.await(new PullProgress(new PrintStream(out, true, StandardCharsets.UTF_8), false),
                () -> false))
                .isInstanceOf(BackpointException.class)
                .hasMessageContaining("stopped before it completed")
                .hasMessageContaining("run the same recover command again to resume");
        assertThat(rec.state()).as("the VM keeps running on what was copied").isEqualTo(DomainState.RUNNING);
        assertThat(recovery.dependentDisks()).isNotEmpty();

        // QEMU restarted too: the next call starts the server and the domain, then resumes the copy.
        rec.destroy();
        Recovery again = recovery(dir, 0);
        assertThat(again.advance()).isNotEmpty();
        assertThat(rec.state()).isEqualTo(DomainState.RUNNING);
        assertThat(again.await(new PullProgress(new PrintStream(out, true, StandardCharsets.UTF_8), false), () -> false))
                .isTrue();
        rec.destroy();
        assertThat(RecoverFixture.compare(disk(dir, "vda").overlay(), fx.restored.get("vda"))).isZero();
        assertThat(RecoverFixture.compare(disk(dir, "vdb").overlay(), fx.restored.get("vdb"))).isZero();
    }

    private static RecoverState.Disk disk(Path dir, String name) {
        return RecoverState.load(dir).orElseThrow().disks().stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow();
    }

    private static void awaitProgress(Domain dom, String disk, long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (dom.blockJobInfo(disk).map(i -> i.cur() >= bytes).orElse(false)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the copy of " + disk + " made no progress");
    }
}
