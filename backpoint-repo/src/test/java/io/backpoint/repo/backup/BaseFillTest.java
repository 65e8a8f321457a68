package io.backpoint.repo.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.repo.Compression;
import io.backpoint.repo.Repository;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rule that picks base-fill: on for a directory repository, unless told otherwise for a measurement. */
class BaseFillTest {
    @TempDir
    Path root;

    @Test
    void aDirectoryRepositoryFillsFromTheBaseUnlessToldNever() {
        try (Repository repo = Repository.init(root.resolve("repo").toString(), 1 << 20, Compression.ZSTD)) {
            assertThat(BaseFill.pays(repo, null)).isTrue();
            assertThat(BaseFill.pays(repo, "never")).isFalse();
            assertThat(BaseFill.pays(repo, "always")).isTrue();
            assertThat(BaseFill.pays(repo, "sometimes")).as("anything else: the rule").isTrue();
        }
    }
}
