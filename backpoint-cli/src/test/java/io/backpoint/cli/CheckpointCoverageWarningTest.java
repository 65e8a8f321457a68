package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 8, item 19: a checkpoint whose --diskspec list leaves every disk out says so. */
class CheckpointCoverageWarningTest {
    @TempDir
    Path dir;

    @Test
    void aCheckpointThatCoversNoDiskWarns() {
        CliRun r = CliRun.commands(dir, "checkpoint-create-as test a --diskspec vda,checkpoint=no");
        assertThat(r.status()).isZero();
        assertThat(r.stdout()).startsWith("Domain checkpoint a created");
        assertThat(r.stderr()).startsWith("warning: checkpoint 'a' covers no disk:").contains("--diskspec vda,checkpoint=bitmap");
    }

    @Test
    void aCheckpointThatCoversADiskDoesNot() {
        assertThat(CliRun.commands(dir, "checkpoint-create-as test a --diskspec vda; checkpoint-create-as test b").stderr()).isEmpty();
    }
}
