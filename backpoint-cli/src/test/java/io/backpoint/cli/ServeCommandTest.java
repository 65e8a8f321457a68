package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.repo.Compression;
import io.backpoint.repo.DiskMode;
import io.backpoint.repo.DiskWriter;
import io.backpoint.repo.Repository;
import io.backpoint.repo.SnapshotWriter;
import io.backpoint.testing.Tools;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serve command as a user runs it: a child process, real clients, then a signal. */
class ServeCommandTest {
    private static final int CHUNK = 64 << 10;

    @TempDir
    Path dir;

    private byte[] vda;

    @BeforeEach
    void repository() {
        Tools.assumeOnPath("nbdinfo", "nbdcopy");
        vda = new byte[20 * CHUNK];
        new Random(3).nextBytes(vda);
        java.util.Arrays.fill(vda, 5 * CHUNK, 9 * CHUNK, (byte) 0);
        try (Repository repository = Repository.init(dir.resolve("repo").toString(), CHUNK, Compression.ZSTD);
                SnapshotWriter writer = repository.newSnapshot("vm1", "<domain><name>vm1</name></domain>",
                        Instant.parse("2026-03-01T00:00:00Z"))) {
            DiskWriter disk = writer.disk("vda", vda.length, DiskMode.FULL, "test", Optional.empty());
            for (int i = 0; i < disk.chunkCount(); i++) {
                disk.put(i, ByteBuffer.wrap(vda, i * CHUNK, CHUNK));
            }
            writer.checkpoint("cp1", "<domaincheckpoint/>");
            writer.commit();
        }
    }

    @Test
    void servesUntilSigtermThenRemovesTheSocket() throws Exception {
        Path socket = dir.resolve("vm1.sock");
        try (ServeProcess serve = new ServeProcess(dir, "--repo", "repo", "vm1:latest", "--socket", "vm1.sock")) {
            assertThat(serve.lines.get(0)).startsWith("Serving snapshot ").contains("of 'vm1' read-only on " + socket);
            assertThat(serve.uri("vda")).isEqualTo("nbd+unix:///vda?socket=" + socket);
            Path copy = dir.resolve("copy.raw");
            Tools.run("nbdcopy", serve.uri("vda"), copy.toString());
            assertThat(Files.readAllBytes(copy)).isEqualTo(vda);
            assertThat(Tools.run("nbdinfo", "--map", serve.uri("vda"))).contains("hole,zero");
            serve.stop("TERM");
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void defaultSocketInAPrivateDirectoryAndCtrlCExitsCleanly() throws Exception {
        try (ServeProcess serve = new ServeProcess(dir, "--repo", "repo", "latest", "--cache", "1M")) {
            String uri = serve.uri("vda");
            Path socket = Path.of(uri.substring(uri.indexOf("socket=") + 7));
            assertThat(Files.getPosixFilePermissions(socket.getParent()))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            assertThat(Tools.run("nbdinfo", "--size", uri).trim()).isEqualTo(Long.toString(vda.length));
            assertThat(serve.stop("INT")).as(String.join("\n", serve.lines)).isZero();
            assertThat(serve.lines).contains("Stopped serving snapshot " + serve.lines.get(0).split(" ")[2]);
            assertThat(socket.getParent()).doesNotExist();
        }
    }

    @Test
    void badArgumentsAreClearErrors() {
        CliRun r = CliRun.of(dir, "", "serve", "--repo", "repo", "latest", "--tcp", "0.0.0.0:21001");
        assertThat(r.status()).isNotZero();
        assertThat(r.stderr()).contains("not a loopback address").doesNotContain("Exception");
        r = CliRun.of(dir, "", "serve", "--repo", "repo", "latest", "--tcp", "localhost");
        assertThat(r.stderr()).contains("--tcp takes HOST:PORT");
        r = CliRun.of(dir, "", "serve", "--repo", "repo", "latest", "--disk", "vdq", "--socket", "x.sock");
        assertThat(r.stderr()).contains("no disk 'vdq'");
        r = CliRun.of(dir, "", "serve", "--repo", "repo", "nosuch");
        assertThat(r.stderr()).contains("no snapshot 'nosuch'");
        assertThat(dir.resolve("x.sock")).doesNotExist();
    }
}
