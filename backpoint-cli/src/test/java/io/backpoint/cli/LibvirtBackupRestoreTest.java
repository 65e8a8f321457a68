package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push and pull backups of a libvirt domain taken through backpoint restore byte-identically:
 * full and incremental push backups (with the restore records Backpoint writes, as libvirt
 * writes none) rebuilt by {@code backpoint restore}, and a pull backup read over NBD while the
 * guest keeps writing. The expected disk at each point is built independently, by applying the
 * same writes with qemu-io to a raw image; {@code qemu-img compare} is the judge.
 */
class LibvirtBackupRestoreTest {
    @TempDir
    Path dir;

    @Test
    void pushChainAndPullRestoreByteIdentical() throws Exception {
        LibvirtTestDomain.assumeReachable();
        Path ref = dir.resolve("ref.raw");
        exec("qemu-img", "create", "-q", "-f", "raw", ref.toString(), "64M");
        write(dir, "full.xml", "<domainbackup><disks><disk name='vda' type='file'><target file='" + dir.resolve("full.qcow2")
                + "'/></disk></disks></domainbackup>");
        write(dir, "inc.xml", "<domainbackup><incremental>b1</incremental><disks><disk name='vda' type='file'><target file='"
                + dir.resolve("inc.qcow2") + "'/></disk></disks></domainbackup>");
        write(dir, "pull.xml", "<domainbackup mode='pull'><server transport='unix' socket='" + dir.resolve("nbd.sock")
                + "'/><disks><disk name='vda' type='file'><scratch file='" + dir.resolve("scratch.qcow2")
                + "'/></disk></disks></domainbackup>");
        write(dir, "b1.xml", "<domaincheckpoint><name>b1</name></domaincheckpoint>");
        write(dir, "b2.xml", "<domaincheckpoint><name>b2</name></domaincheckpoint>");
        try (LibvirtTestDomain dom = LibvirtTestDomain.start(dir, "bp-restore")) {
            guestWrite(dom, ref, 0x11, "0", "4M");
            guestWrite(dom, ref, 0x12, "20M", "3M");
            Path at1 = copy(ref, "at1.raw");
            ok(backpoint("backup-begin", "bp-restore", "full.xml", "--checkpointxml", "b1.xml", "--wait"));
            guestWrite(dom, ref, 0x22, "1M", "1M");
            guestWrite(dom, ref, 0x23, "40M", "64K");
            Path at2 = copy(ref, "at2.raw");
            ok(backpoint("backup-begin", "bp-restore", "inc.xml", "--checkpointxml", "b2.xml", "--wait"));
            guestWrite(dom, ref, 0x33, "8M", "1M");
            Path at3 = copy(ref, "at3.raw");
            ok(backpoint("backup-begin", "bp-restore", "pull.xml"));
            // Writes after the pull backup began must not show in what it exports.
            dom.write(0x44, "0", "2M");
            Path pulled = dir.resolve("pulled.raw");
            exec("nbdcopy", "nbd+unix:///vda?socket=" + dir.resolve("nbd.sock"), pulled.toString());
            ok(backpoint("domjobabort", "bp-restore"));
            assertThat(compare(pulled, at3)).as("pull backup").isEqualTo(0);

            assertThat(Files.readString(dir.resolve("full.qcow2.json"))).contains("\"mode\" : \"full\"", "\"checkpoint\" : \"b1\"");
            assertThat(Files.readString(dir.resolve("inc.qcow2.json"))).contains("\"incremental\" : \"b1\"", "\"checkpoint\" : \"b2\"");
            ok(backpoint("restore", "--output", "r1.raw", "full.qcow2"));
            ok(backpoint("restore", "--output", "r2.raw", "full.qcow2", "inc.qcow2"));
            assertThat(compare(dir.resolve("r1.raw"), at1)).as("full push backup").isEqualTo(0);
            assertThat(compare(dir.resolve("r2.raw"), at2)).as("full + incremental push backup").isEqualTo(0);
            // The records make restore refuse a chain in the wrong order.
            CliRun wrong = backpoint("restore", "--output", "r3.raw", "inc.qcow2", "full.qcow2");
            assertThat(wrong.status()).isNotZero();
            assertThat(wrong.stderr()).contains("error: ").doesNotContain("Exception");
        }
    }

    @Test
    void repositoryBackupQuiesceIsLibvirtsAgentFreezeAndFailsCleanlyWithoutAnAgent() throws Exception {
        LibvirtTestDomain.assumeReachable();
        try (LibvirtTestDomain dom = LibvirtTestDomain.start(dir, "bp-quiesce")) {
            dom.write(0x31, "0", "1M");
            ok(backpoint("repo-init", "repo"));
            // The test domain has no agent channel: libvirt's own freeze refuses, so the flag went
            // to virDomainFSFreeze (an unknown flag would say "unsupported flags" instead).
            CliRun quiesced = backpoint("backup", "bp-quiesce", "--repo", "repo", "--quiesce");
            assertThat(quiesced.status()).isEqualTo(1);
            assertThat(quiesced.stderr()).startsWith("error: ").contains("QEMU guest agent is not configured")
                    .doesNotContain("Exception");
            assertThat(backpoint("checkpoint-list", "bp-quiesce", "--name").stdout().strip()).isEmpty();
            assertThat(backpoint("domjobinfo", "bp-quiesce").stdout()).contains("None");
            assertThat(backpoint("snapshots", "--repo", "repo", "--json").stdout()).doesNotContain("bp-quiesce");
            ok(backpoint("backup", "bp-quiesce", "--repo", "repo"));
            assertThat(backpoint("snapshots", "--repo", "repo", "--json").stdout()).contains("bp-quiesce");
        }
    }

    private void guestWrite(LibvirtTestDomain dom, Path ref, int pattern, String off, String len) throws IOException {
        dom.write(pattern, off, len);
        exec("qemu-io", "-f", "raw", "-c", "write -P 0x" + Integer.toHexString(pattern) + " " + off + " " + len, ref.toString());
    }

    private Path copy(Path ref, String name) throws IOException {
        Path p = dir.resolve(name);
        Files.copy(ref, p);
        return p;
    }

    private int compare(Path a, Path expected) throws IOException {
        return exec("qemu-img", "compare", "-f", "raw", "-F", "raw", a.toString(), expected.toString());
    }

    private CliRun backpoint(String... args) {
        List<String> all = new ArrayList<>(List.of("-c", LibvirtTestDomain.URI));
        all.addAll(List.of(args));
        return CliRun.of(dir, "", all.toArray(String[]::new));
    }

    private static void ok(CliRun run) {
        assertThat(run.status()).as("stdout %s stderr %s", run.stdout(), run.stderr()).isZero();
    }

    private static void write(Path dir, String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text + "\n", StandardCharsets.UTF_8);
    }

    private int exec(String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("exec.log").toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("did not finish: " + List.of(cmd));
            }
            if (p.exitValue() != 0 && !(cmd[1].equals("compare") && p.exitValue() == 1)) {
                throw new IOException(List.of(cmd) + " failed: " + Files.readString(dir.resolve("exec.log")));
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
