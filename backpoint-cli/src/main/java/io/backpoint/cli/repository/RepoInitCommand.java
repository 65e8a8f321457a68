package io.backpoint.cli.repository;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.cli.shell.*;
import io.backpoint.repo.Compression;
import io.backpoint.repo.Repository;
import io.backpoint.repo.RepositoryConfig;
import io.backpoint.repo.SnapshotJson;
import java.util.List;

/** repo-init: creates a backup repository in a new or empty directory, or an unused S3 prefix. */
final class RepoInitCommand implements Command {
    @Override
    public String name() {
        return "repo-init";
    }

    @Override
    public String summary() {
        return "create a backup repository";
    }

    @Override
    public String description() {
        return "Creates a deduplicating backup repository in DIR, which must not exist or be empty, or under "
                + "s3://BUCKET[/PREFIX], where no object may exist yet (the bucket must). "
                + "Every other repository command refuses a location that is not a repository.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(OptionDef.data("dir", "the directory, or s3://BUCKET[/PREFIX], to create the repository in"),
                OptionDef.named("chunk-size", "chunk size, a power of two from 64K to 64M (default 4M)"),
                OptionDef.named("compression", "zstd (default) or none"),
                RepoOptions.json());
    }

    @Override
    public boolean needsConnection() {
        return false;
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) {
        long chunkSize = args.has("chunk-size") ? RepoOptions.size(args.get("chunk-size")) : RepositoryConfig.DEFAULT_CHUNK_SIZE;
        RepositoryConfig.checkChunkSize(chunkSize);
        Compression compression = args.has("compression") ? Compression.fromJson(args.get("compression")) : Compression.ZSTD;
        String location = RepoOptions.location(shell, args.get("dir"));
        try (Repository repository = Repository.init(location, (int) chunkSize, compression)) {
            RepositoryConfig config = repository.config();
            if (args.has("json")) {
                ObjectNode node = SnapshotJson.object();
                node.put("location", repository.location());
                node.put("id", config.id());
                node.put("chunkSize", config.chunkSize());
                node.put("compression", config.compression().json());
                node.put("checkpointPrefix", config.checkpointPrefix());
                shell.out().println(SnapshotJson.print(node));
            } else {
                shell.out().println("Repository created in " + repository.location() + " (chunk size "
                        + RepoOptions.human(config.chunkSize()) + ", compression " + config.compression().json()
                        + ", checkpoints named " + config.checkpointPrefix() + "*)");
            }
        }
        return true;
    }
}
