package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpoint.api.Domain;
import io.backpoint.qemu.testing.RunningVms;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.qemu.testing.TestVm.Disk;
import io.backpoint.repo.Compression;
import io.backpoint.repo.Repository;
import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backpoint recover} end to end with Backpoint's own serve process: the VM runs while its
 * disks are copied, a killed serve process stops the copy visibly, the next call resumes it,
 * and the overlays end equal to {@code restore --repo} of the same snapshot, with no backing.
 */
@QemuTest
class RecoverCommandQemuTest {
    private static final long MIB = 1L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final RunningVms VMS = new RunningVms("setsid");

    @TempDir
    Path root;

    private String uri;
    private final List<Long> servePids = new java.util.ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        uri = VMS.embed(root);
        Files.writeString(root.resolve("dom.xml"), TestVm.domainXml("src", List.of(
                Disk.create("vda", root.resolve("vda.qcow2"), "qcow2", 64 * MIB),
                Disk.create("vdb", root.resolve("vdb.qcow2"), "qcow2", 32 * MIB))));
        assertThat(cli("define dom.xml; start src").status()).isZero();
        write("src", 0, "0x71", "0", "5M");
        write("src", 0, "0x72", "50M", "3M");
        write("src", 1, "0x73", "1M", "30M");
        Repository.init(root.resolve("repo").toString(), (int) MIB, Compression.ZSTD).close();
        CliRun backup = CliRun.of(root, "", "-c", uri, "backup", "src", "--repo", "repo");
        assertThat(backup.status()).as(backup.stderr()).isZero();
        assertThat(cli("destroy src").status()).isZero();
    }

    @AfterEach
    void stop() {
        try {
            Path state = root.resolve("rec/serve.json");
            if (Files.exists(state)) {
                servePids.add(JSON.readTree(state.toFile()).path("pid").asLong());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (long pid : servePids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void recoversRunningAtOnceSurvivesAKilledServeAndEndsEqualToTheRestore() throws Exception {
        CliRun restored = CliRun.of(root, "", "restore", "--repo", "repo", "latest", "--output-dir", "restored");
        assertThat(restored.status()).as(restored.stderr()).isZero();

        CliRun first = recover("--bandwidth", "4");
        assertThat(first.status()).as(first.stderr()).isZero();
        assertThat(first.stdout()).contains("Domain 'rec' is running from snapshot").contains("blockjob rec vda --info");
        assertThat(cli("domstate rec").stdout()).startsWith("running");
        long pid = JSON.readTree(root.resolve("rec/serve.json").toFile()).path("pid").asLong();
        servePids.add(pid);
        assertThat(ProcessHandle.of(pid)).as("serve runs detached after recover returned").isPresent();
        CliRun info = cli("blockjob rec vda --info");
        assertThat(info.stderr()).as("the VM runs before its disk is copied").startsWith("\rBlock Pull: [");

        // serve dies: QEMU holds I/O for the reconnect delay, then the copy fails and says so.
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        CliRun failed;
        do {
            assertThat(System.nanoTime()).as("the copy stops visibly").isLessThan(deadline);
            Thread.sleep(500);
            failed = cli("blockjob rec vda --info");
        } while (failed.status() == 0 && failed.stderr().startsWith("\rBlock Pull"));
        assertThat(failed.status()).as(failed.stdout() + failed.stderr()).isEqualTo(1);
        assertThat(failed.stderr()).contains("block pull of disk 'vda' failed");
        assertThat(cli("domstate rec").stdout()).startsWith("running");

        CliRun resumed = recover("--wait");
        assertThat(resumed.status()).as(resumed.stderr()).isZero();
        assertThat(resumed.stdout()).contains("The copy of disk vdb had stopped").containsPattern(
                "no disk (of 'rec' )?depends on the repository; serving stopped");
        assertThat(root.resolve("rec/serve.json")).doesNotExist();
        assertThat(root.resolve("rec/serve.sock")).doesNotExist();
        CliRun again = recover();
        assertThat(again.stdout()).contains("is complete: no disk depends on the repository");

        assertThat(cli("destroy rec").status()).isZero();
        for (String d : List.of("vda", "vdb")) {
            Path overlay = root.resolve("rec/rec-" + d + ".qcow2");
            assertThat(Tools.run("qemu-img", "info", overlay.toString())).doesNotContain("backing file");
            assertThat(Tools.status("qemu-img", "compare", "-f", "qcow2", "-F", "raw", overlay.toString(),
                    root.resolve("restored/src-restored-" + d + ".raw").toString())).as(d).isZero();
        }
    }

    @Test
    void mistakesAreClearErrors() throws Exception {
        CliRun taken = CliRun.of(root, "", "-c", uri, "recover", "--repo", "repo", "latest", "--as", "src");
        assertThat(taken.status()).isEqualTo(1);
        assertThat(taken.stderr()).contains("domain 'src' already exists; choose another name with --as")
                .doesNotContain("Exception");
        CliRun badName = CliRun.of(root, "", "-c", uri, "recover", "--repo", "repo", "latest", "--as", "../x");
        assertThat(badName.stderr()).contains("invalid domain name '../x'");
        CliRun noSnapshot = CliRun.of(root, "", "-c", uri, "recover", "--repo", "repo", "nope", "--as", "x");
        assertThat(noSnapshot.status()).isEqualTo(1);
        assertThat(noSnapshot.stderr()).startsWith("error: ").doesNotContain("Exception");
        assertThat(root.resolve("x")).doesNotExist();
    }

    @Test
    void anUndefinedDomainsOverlaysAreNeverReplaced() throws Exception {
        CliRun first = recover("--bandwidth", "1");
        assertThat(first.status()).as(first.stderr()).isZero();
        servePids.add(JSON.readTree(root.resolve("rec/serve.json").toFile()).path("pid").asLong());
        write("rec", 0, "0xcd", "2M", "1M");

        // A second call while one runs waits for its lock, then says who holds it.
        java.util.concurrent.CompletableFuture<io.backpoint.driver.DomainLock> held = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread holder = new Thread(() -> {
            try (io.backpoint.driver.DomainLock l = io.backpoint.qemu.driver.FileDomainLock.acquire(
                    root.resolve("rec/recover.lock"))) {
                held.complete(l);
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        holder.start();
        held.get(30, TimeUnit.SECONDS);
        CliRun locked = recover();
        done.countDown();
        holder.join();
        assertThat(locked.status()).isEqualTo(1);
        assertThat(locked.stderr()).contains("the recovery lock '").contains("rec/recover.lock")
                .contains("try again when it is done")
                .doesNotContain("Exception");
        assertThat(Files.getPosixFilePermissions(root.resolve("rec/recover.lock")))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        assertThat(cli("destroy rec; undefine rec").status()).isZero();
        Path overlay = root.resolve("rec/rec-vda.qcow2");
        CliRun again = recover();
        assertThat(again.status()).isEqualTo(1);
        // "holds data written by the recovered domain", or "holds the whole disk" if its copy completed
        assertThat(again.stderr()).contains("the overlay '" + overlay + "' of disk 'vda' exists and holds ").contains("backpoint define " + root.resolve("rec/rec.xml")).doesNotContain("Exception");
        assertThat(root.resolve("rec/serve.json")).as("the refused call stopped serving").doesNotExist();
        assertThat(readsOwn(overlay, "0xcd", "2M", "1M")).as("the guest's write is kept").isTrue();

        // What the error says to do works: the recovery resumes on the kept overlays.
        assertThat(cli("define rec/rec.xml").status()).isZero();
        CliRun resumed = recover("--wait");
        assertThat(resumed.status()).as(resumed.stderr()).isZero();
        assertThat(cli("destroy rec").status()).isZero();
        assertThat(readsOwn(overlay, "0xcd", "2M", "1M")).isTrue();
        assertThat(readsOwn(overlay, "0x71", "0", "2M")).as("the rest was copied").isTrue();
    }

    @Test
    void aFreshRecoveryNeverReplacesAFileAndAResumeKeepsItsRepository() throws Exception {
        Files.createDirectories(root.resolve("rec"));
        Files.writeString(root.resolve("rec/rec.xml"), "mine\n");
        CliRun xml = recover();
        assertThat(xml.status()).isEqualTo(1);
        assertThat(xml.stderr()).contains("'" + root.resolve("rec/rec.xml") + "' exists; recover never overwrites a file")
                .doesNotContain("Exception");
        assertThat(root.resolve("rec/rec.xml")).hasContent("mine");
        assertThat(root.resolve("rec/recover.json")).doesNotExist();
        assertThat(root.resolve("rec/serve.json")).doesNotExist();

        Files.delete(root.resolve("rec/rec.xml"));
        Files.writeString(root.resolve("rec/serve.sock"), "mine\n");
        CliRun sock = recover();
        assertThat(sock.stderr()).contains("'" + root.resolve("rec/serve.sock") + "' exists");
        assertThat(root.resolve("rec/serve.sock")).hasContent("mine");

        Files.delete(root.resolve("rec/serve.sock"));
        Repository.init(root.resolve("other").toString(), (int) MIB, Compression.ZSTD).close();
        assertThat(recover("--bandwidth", "1").status()).isZero();
        servePids.add(JSON.readTree(root.resolve("rec/serve.json").toFile()).path("pid").asLong());
        CliRun other = CliRun.of(root, "", "-c", uri, "recover", "--repo", "other", "latest", "--as", "rec",
                "--output-dir", "rec");
        assertThat(other.status()).isEqualTo(1);
        assertThat(other.stderr()).contains("holds a recovery from repository " + root.resolve("repo"))
                .contains("give --repo " + root.resolve("repo")).doesNotContain("Exception");
    }

    /** Reads a range of the overlay alone (its backing left out): true when it holds that pattern itself. */
    private static boolean readsOwn(Path overlay, String pattern, String offset, String length) throws Exception {
        String spec = "json:{\"driver\":\"qcow2\",\"backing\":null,\"file\":{\"driver\":\"file\",\"filename\":\""
                + overlay + "\"}}";
        return Tools.status("qemu-io", "-r", "-U", "-c", "read -q -P " + pattern + " " + offset + " " + length, spec) == 0;
    }

    private CliRun recover(String... more) {
        List<String> argv = new java.util.ArrayList<>(List.of("-c", uri, "recover", "--repo", "repo", "latest", "--as",
                "rec", "--output-dir", "rec"));
        argv.addAll(List.of(more));
        return CliRun.of(root, "", argv.toArray(String[]::new));
    }

    private void write(String dom, int disk, String pattern, String offset, String length) {
        CliRun r = cli("qemu-monitor-command " + dom + " --hmp 'qemu-io -d /machine/peripheral/virtio-disk" + disk
                + "/virtio-backend \"write -P " + pattern + " " + offset + " " + length + "\"'");
        assertThat(r.status()).as(r.stderr()).isZero();
    }

    private CliRun cli(String commands) {
        return CliRun.of(root, "", "-c", uri, commands);
    }
}
