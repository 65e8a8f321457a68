package io.backpoint.cli;

import static io.backpoint.cli.CliRun.assertOk;
import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.api.Connection;
import io.backpoint.cli.demo.GuestKit;
import io.backpoint.qemu.agent.GuestAgent;
import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File-level access to a backup of a real Linux guest (guest/build-guest.sh), with README's
 * recipe: the guest writes files, `backup` stores its disk in a repository, `serve` exports the
 * snapshot, nbdfuse turns the export into a file, and debugfs and a read-only loop mount read the
 * guest's files from it; the served disk also equals `restore` of the same snapshot.
 */
@QemuTest
class ServeGuestQemuTest {
    @TempDir
    Path root;

    private String uri;
    private final List<Process> started = new ArrayList<>();
    private Path fuse;
    private Path mnt;

    @AfterEach
    void cleanUp() throws Exception {
        if (mnt != null) {
            GuestKit.status(List.of("umount", mnt.toString()), Duration.ofMinutes(1));
        }
        if (fuse != null) {
            GuestKit.status(List.of("umount", fuse.toString()), Duration.ofMinutes(1));
        }
        started.forEach(Process::destroy);
        if (uri != null) {
            try (Connection conn = Connection.open(uri)) {
                for (var d : conn.listAllDomains()) {
                    if (d.state().active()) {
                        d.destroy();
                    }
                }
            }
        }
    }

    @Test
    void aFileWrittenInTheGuestIsReadFromTheServedSnapshot() throws Exception {
        Tools.assumeOnPath("qemu-system-x86_64", "qemu-img", "mkfs.ext4", "debugfs", "nbdfuse", "apt-cache", "dpkg-deb");
        // As root, nbdfuse (libfuse3) mounts without fusermount3, and the loop mount works.
        Assumptions.assumeTrue(isRoot() && Files.exists(Path.of("/dev/fuse")), "root and /dev/fuse are needed");
        GuestKit.build();
        uri = "qemu:///embed?root=" + root.resolve("s");
        Path disk = GuestKit.dataDisk(root, "data", 64);
        Files.writeString(root.resolve("g.xml"), GuestKit.domainXml("g", disk, "qcow2", root.resolve("g.serial"), 12, true));
        assertOk(cli("define", "g.xml"));
        assertOk(cli("start", "g"));
        GuestKit.awaitConsole(root.resolve("g.serial"), "BP-READY", GuestKit.BOOT_LIMIT);
        String token = "backpoint-serve " + UUID.randomUUID();
        String journal;
        try (GuestAgent agent = GuestKit.agent(root.resolve("s"), "g")) {
            GuestKit.awaitJournal(agent, 12);
            GuestKit.sh(agent, "mkdir -p /data/docs && echo '" + token + "' > /data/docs/known.txt && sync");
            journal = GuestKit.sh(agent, "cat /data/journal");
        }
        assertOk(cli("repo-init", "repo"));
        assertOk(cli("backup", "g", "--repo", "repo"));
        assertOk(cli("destroy", "g"));
        assertOk(cli("restore", "--repo", "repo", "g:latest", "--disk", "vda", "--output", "restored.raw"));

        Path socket = root.resolve("g.sock");
        try (ServeProcess serve = new ServeProcess(root, "--repo", "repo", "g:latest", "--socket", "g.sock")) {
            String vda = serve.uri("vda");
            GuestKit.run(List.of("qemu-img", "compare", "-f", "raw", "-F", "raw", root.resolve("restored.raw").toString(),
                    vda), Duration.ofMinutes(2));

            // README "Files from a snapshot": nbdfuse, then debugfs (ext2/3/4) or a loop mount.
            fuse = Files.createDirectory(root.resolve("fuse"));
            Process nbdfuse = new ProcessBuilder("nbdfuse", fuse.toString(), vda).redirectErrorStream(true)
                    .redirectOutput(root.resolve("nbdfuse.log").toFile()).start();
            started.add(nbdfuse);
            Path file = fuse.resolve("nbd");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.exists(file) && System.nanoTime() < deadline && nbdfuse.isAlive()) {
                Thread.sleep(100);
            }
            assertThat(file).as(Files.readString(root.resolve("nbdfuse.log"))).exists();
            String cat = GuestKit.run(List.of("debugfs", "-R", "cat /docs/known.txt", file.toString()),
                    Duration.ofMinutes(1));
            assertThat(cat).isEqualTo(token + "\n");
            String ls = GuestKit.run(List.of("debugfs", "-R", "ls -l /w", file.toString()), Duration.ofMinutes(1));
            assertThat(ls).contains(" f1\n").contains(" f12\n");

            {
                mnt = Files.createDirectory(root.resolve("mnt"));
                // noload: the snapshot of a mounted ext4 has a journal to replay, which a read-only device cannot.
                GuestKit.run(List.of("mount", "-o", "loop,ro,noload", file.toString(), mnt.toString()),
                        Duration.ofMinutes(1));
                assertThat(Files.readString(mnt.resolve("docs/known.txt"))).isEqualTo(token + "\n");
                int checked = 0;
                for (String line : journal.strip().split("\n")) {
                    String[] f = line.split(" ");
                    assertThat(sha256(Files.readAllBytes(mnt.resolve("w").resolve(f[0])))).as(f[0]).isEqualTo(f[1]);
                    checked++;
                }
                assertThat(checked).isGreaterThanOrEqualTo(12);
                GuestKit.run(List.of("umount", mnt.toString()), Duration.ofMinutes(1));
                mnt = null;
            }
            GuestKit.run(List.of("umount", fuse.toString()), Duration.ofMinutes(1));
            fuse = null;
            assertThat(serve.stop("TERM")).isNotNegative();
        }
        assertThat(socket).doesNotExist();

        // The same through ls and cat, which run the recipe themselves.
        CliRun ls = cli("ls", "--repo", "repo", "g:latest", "--disk", "vda", "/docs");
        assertOk(ls);
        assertThat(ls.stdout()).contains("known.txt");
        CliRun cat = cli("cat", "--repo", "repo", "g:latest", "--disk", "vda", "/docs/known.txt");
        assertOk(cat);
        assertThat(cat.stdout()).isEqualTo(token + "\n");
    }

    private static boolean isRoot() throws Exception {
        return GuestKit.run(List.of("id", "-u"), Duration.ofSeconds(10)).strip().equals("0");
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    private CliRun cli(String... words) {
        return CliRun.on(root, uri, words);
    }
}
