package io.backpoint.repo.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpoint.repo.storage.S3TestServer;
import io.backpoint.testing.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A repository in a fresh bucket of the shared test S3 server, worked through a host's command
 * line as the end-to-end S3 tests do: made with 1 MiB uncompressed chunks (so the bucket's object
 * sizes say exactly what was stored), its snapshots listed, a disk restored and compared with
 * what the guest had written.
 */
final class S3Repository {
    private static final ObjectMapper JSON = new ObjectMapper();

    final S3TestServer server;
    final String bucket;
    /** {@code s3://BUCKET/PREFIX}. */
    final String uri;

    private S3Repository(S3TestServer server, String bucket, String prefix) {
        this.server = server;
        this.bucket = bucket;
        this.uri = "s3://" + bucket + "/" + prefix;
    }

    /** A new bucket; the repository is under {@code prefix}, not made yet (see {@link #init}). */
    static S3Repository fresh(String prefix) {
        S3TestServer server = S3TestServer.get();
        return new S3Repository(server, server.newBucket(), prefix);
    }

    /** repo-init through {@code host}: 1 MiB chunks, no compression. */
    void init(ChildCli host) {
        ChildCli.Result init = host.run("repo-init", uri, "--chunk-size", "1M", "--compression", "none");
        assertThat(init.status()).as(init.toString()).isZero();
    }

    /** The snapshot ids {@code snapshots --json} lists through {@code host}. */
    List<String> ids(ChildCli host) throws IOException {
        ChildCli.Result r = host.run("snapshots", "--repo", uri, "--json");
        assertThat(r.status()).as(r.toString()).isZero();
        List<String> ids = new ArrayList<>();
        JSON.readTree(r.stdout()).forEach(s -> ids.add(s.path("id").asText()));
        return ids;
    }

    /**
     * Restores disk vda of a snapshot through {@code host} (its first arguments, e.g. a {@code -c URI},
     * before the command) into {@code dir} and fails unless it reads as {@code expected}.
     */
    void assertRestores(ChildCli host, Path dir, String id, byte[] expected, String... options)
            throws IOException, InterruptedException {
        Path model = dir.resolve(id + ".expected");
        Files.write(model, expected);
        Path out = dir.resolve(id + ".raw");
        List<String> args = new ArrayList<>(List.of(options));
        args.addAll(List.of("restore", "--repo", uri, id, "--disk", "vda", "--output", out.toString()));
        ChildCli.Result restore = host.run(args.toArray(String[]::new));
        assertThat(restore.status()).as(restore.toString()).isZero();
        Tools.run("qemu-img", "compare", "-q", "-f", "raw", "-F", "raw", model.toString(), out.toString());
    }

    /**
     * A backup of {@code vm} through {@code host} into {@code repo} (this repository's URI, or the
     * same reached another way), as its {@code --json} line.
     */
    JsonNode backup(ChildCli host, BackupVm vm, String repo) {
        ChildCli.Result r = host.run("-c", vm.uri(), "backup", vm.name(), "--repo", repo, "--json");
        assertThat(r.status()).as(r.toString()).isZero();
        try {
            return JSON.readTree(r.stdout());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
