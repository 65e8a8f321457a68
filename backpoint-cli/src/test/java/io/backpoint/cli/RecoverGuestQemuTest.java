package io.backpoint.cli;

import static io.backpoint.cli.CliRun.assertOk;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.cli.demo.GuestKit;
import io.backpoint.qemu.agent.GuestAgent;
import io.backpoint.repo.Compression;
import io.backpoint.repo.Repository;
import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Linux guest (guest/build-guest.sh) recovered from a snapshot: it boots from overlays
 * over the served snapshot and reads a known file while its disk is still being copied; with the
 * serve process killed, a read of data not yet copied fails in the guest with EIO after QEMU's
 * reconnect delay while the VM keeps running; the next recover call finishes the copy and the
 * same read succeeds.
 */
@QemuTest
class RecoverGuestQemuTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    private Path state;
    private String uri;

    @BeforeEach
    void setUp() throws Exception {
        Tools.assumeOnPath("qemu-system-x86_64", "qemu-img", "mkfs.ext4", "apt-cache", "dpkg-deb", "setsid");
        GuestKit.build();
        state = root.resolve("s");
        uri = "qemu:///embed?root=" + state;
    }

    @AfterEach
    void tearDown() throws Exception {
        try (Connection conn = Connection.open(uri)) {
            for (Domain d : conn.listAllDomains()) {
                if (d.state().active()) {
                    d.destroy();
                }
            }
        }
        Path serve = root.resolve("rec/serve.json");
        if (Files.exists(serve)) {
            ProcessHandle.of(JSON.readTree(serve.toFile()).path("pid").asLong()).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void theRecoveredGuestBootsReadsItsFilesAndSeesEioWhileTheRepositoryIsGone() throws Exception {
        Path disk = GuestKit.dataDisk(root, "data", 256);
        Path serial = root.resolve("g.serial");
        Files.writeString(root.resolve("g.xml"), GuestKit.domainXml("g", disk, "qcow2", serial, 0, true));
        assertOk(cli("define", "g.xml"));
        assertOk(cli("start", "g"));
        GuestKit.awaitConsole(serial, "BP-READY", GuestKit.BOOT_LIMIT);
        String known;
        String unread;
        try (GuestAgent agent = GuestKit.agent(state, "g")) {
            // 64 MiB of data so that a copy limited to 1 MiB/s is still running when the guest has booted.
            known = GuestKit.sh(agent, "dd if=/dev/urandom of=/data/big bs=1M count=64 2>/dev/null;"
                    + " dd if=/dev/urandom of=/data/unread bs=1M count=64 2>/dev/null;"
                    + " echo recover-me > /data/known; sync; md5sum /data/big /data/known");
            unread = GuestKit.sh(agent, "md5sum /data/unread");
        }
        Repository.init(root.resolve("repo").toString(), 1 << 20, Compression.ZSTD).close();
        assertOk(cli("backup", "g", "--repo", "repo"));
        assertOk(cli("destroy", "g"));
        Files.delete(serial);

        long t0 = System.nanoTime();
        CliRun first = cli("recover", "--repo", "repo", "latest", "--as", "r", "--output-dir", "rec", "--bandwidth", "1");
        assertOk(first);
        long running = System.nanoTime();
        String console = GuestKit.awaitConsole(serial, "BP-READY", GuestKit.BOOT_LIMIT);
        System.out.printf("recover of a real guest: command to running VM %d ms, to booted guest %d ms (TCG unless KVM)%n",
                (running - t0) / 1_000_000, (System.nanoTime() - t0) / 1_000_000);
        assertThat(console).contains("BP-MOUNTED /dev/vda");
        try (GuestAgent agent = GuestKit.agent(state, "r")) {
            assertThat(GuestKit.sh(agent, "md5sum /data/big /data/known")).isEqualTo(known);
            assertThat(cli("blockjob", "r", "vda", "--info").stderr()).as("still copying").startsWith("\rBlock Pull: [");

            long pid = JSON.readTree(root.resolve("rec/serve.json").toFile()).path("pid").asLong();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            long k0 = System.nanoTime();
            // QEMU holds I/O for its reconnect delay; the copy then fails, and says so.
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            CliRun job;
            do {
                assertThat(System.nanoTime()).as("the copy stops visibly").isLessThan(deadline);
                Thread.sleep(500);
                job = cli("blockjob", "r", "vda", "--info");
            } while (job.status() == 0);
            assertThat(job.stderr()).contains("block pull of disk 'vda' failed");
            System.out.printf("copy failed %d ms after serve was killed%n", (System.nanoTime() - k0) / 1_000_000);
            // Reads copy what they read into the overlay (block-stream reads through a copy-on-read
            // filter), so /data/big is there now; the end of /data/unread the guest has not read,
            // and the copy (1 MiB/s, from the start of the disk) had not reached it.
            String read = "dd if=/data/unread of=/dev/null bs=1M skip=63 count=1 iflag=direct 2>&1; echo rc=$?";
            long r0 = System.nanoTime();
            String failed = GuestKit.sh(agent, read);
            System.out.printf("guest read of data not copied, repository gone: %s after %d ms%n",
                    failed.strip().replace('\n', ' '), (System.nanoTime() - r0) / 1_000_000);
            System.out.printf("guest kernel: %s%n", GuestKit.sh(agent, "dmesg | grep -i 'error' | tail -2").strip());
            assertThat(failed).contains("Input/output error").contains("rc=1");
            assertThat(cli("domstate", "r").stdout()).startsWith("running");
            assertThat(GuestKit.sh(agent, "cat /data/known")).isEqualTo("recover-me\n");

            CliRun resumed = cli("recover", "--repo", "repo", "latest", "--as", "r", "--output-dir", "rec", "--wait");
            assertOk(resumed);
            assertThat(resumed.stdout()).containsPattern("no disk (of 'r' )?depends on the repository; serving stopped");
            assertThat(GuestKit.sh(agent, read)).contains("rc=0");
            assertThat(GuestKit.sh(agent, "md5sum /data/big /data/known")).isEqualTo(known);
            assertThat(GuestKit.sh(agent, "echo 3 > /proc/sys/vm/drop_caches; md5sum /data/unread")).isEqualTo(unread);
        }
        assertOk(cli("destroy", "r"));
        assertThat(Tools.run("qemu-img", "info", root.resolve("rec/r-vda.qcow2").toString())).doesNotContain("backing file");
    }

    private CliRun cli(String... words) {
        return CliRun.on(root, uri, words);
    }
}
