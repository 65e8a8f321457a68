package io.backpoint.repo.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CheckpointNamingTest {
    private final CheckpointNaming naming = new CheckpointNaming("bp-1a2b3c4d-");

    @Test
    void namesCarryTheTimeAndOnlyOurPrefixIsOurs() {
        Instant t = Instant.parse("2026-12-06T06:41:51.123Z");
        String name = naming.name(t);
        assertThat(name).isEqualTo("bp-1a2b3c4d-20261206T064151123Z");
        assertThat(naming.time(name)).contains(t);
        assertThat(naming.ours("bp-99999999-20261206T064151123Z")).isFalse();
        assertThat(naming.ours("bp-1a2b3c4d-mine")).as("our prefix but not our format: the user's").isFalse();
        assertThat(naming.ours("c1")).isFalse();
        assertThat(naming.time(naming.name(t.plusMillis(1))).get()).isAfter(t);
    }
}
