package io.backpoint.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.error.BackpointException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The retention table: fixed snapshot times, a policy, and the snapshots kept, worked out by
 * hand from the calendar (2026-01-01 is a Thursday, ISO week 1 starts 2025-12-29).
 */
class PrunePolicyTest {
    private static final Map<String, String> TIMES = Map.of(
            "s1", "2026-01-01T10:00:00Z",   // Thu, W01, Jan
            "s2", "2026-01-01T22:00:00Z",   // same day (UTC); Jan 2 in UTC+3
            "s3", "2026-01-02T10:00:00Z",   // Fri, W01
            "s4", "2026-01-05T10:00:00Z",   // Mon, W02
            "s5", "2026-01-06T10:00:00Z",   // Tue, W02
            "s6", "2026-01-12T10:00:00Z",   // Mon, W03, newest of January
            "s7", "2026-02-01T10:00:00Z",   // Sun, W05, Feb
            "s8", "2026-02-02T10:00:00Z",   // Mon, W06
            "s9", "2026-02-02T11:00:00Z",   // same day as s8, newer
            "s10", "2026-03-15T10:00:00Z"); // Sun, W11, Mar

    @ParameterizedTest(name = "last={0} daily={1} weekly={2} monthly={3} zone={4}")
    @CsvSource(delimiter = '|', value = {
        "3 | 0  | 0 | 0 | Z      | s10 s9 s8",
        "1 | 3  | 0 | 0 | Z      | s10 s9 s7",
        "1 | 0  | 4 | 0 | Z      | s10 s9 s7 s6",
        "1 | 0  | 0 | 2 | Z      | s10 s9",
        "1 | 0  | 0 | 3 | Z      | s10 s9 s6",
        "2 | 2  | 2 | 3 | Z      | s10 s9 s6",
        "0 | 10 | 0 | 0 | Z      | s10 s9 s7 s6 s5 s4 s3 s2",
        "0 | 10 | 0 | 0 | +03:00 | s10 s9 s7 s6 s5 s4 s3 s1",
        "0 | 0  | 9 | 0 | Z      | s10 s9 s7 s6 s5 s3",
        "20 | 0 | 0 | 0 | Z      | s10 s9 s8 s7 s6 s5 s4 s3 s2 s1"})
    void keepsWhatThePolicySays(int last, int daily, int weekly, int monthly, String zone, String expected) {
        List<Snapshot> snapshots = new ArrayList<>();
        TIMES.forEach((id, time) -> snapshots.add(new Snapshot(id, "vm1", Instant.parse(time), null, null, null, List.of())));
        Collections.shuffle(snapshots, new java.util.Random(1));
        List<PrunePolicy.Decision> decisions = new PrunePolicy(last, daily, weekly, monthly).apply(snapshots, ZoneId.of(zone));
        assertThat(decisions).extracting(PrunePolicy.Decision::id)
                .containsExactly("s10", "s9", "s8", "s7", "s6", "s5", "s4", "s3", "s2", "s1");
        assertThat(decisions.stream().filter(PrunePolicy.Decision::keep).map(PrunePolicy.Decision::id))
                .containsExactlyElementsOf(Arrays.asList(expected.split(" ")));
    }

    @Test
    void saysWhichRulesKeepASnapshot() {
        List<Snapshot> snapshots = List.of(
                new Snapshot("a", "vm1", Instant.parse(TIMES.get("s9")), null, null, null, List.of()),
                new Snapshot("b", "vm1", Instant.parse(TIMES.get("s8")), null, null, null, List.of()));
        List<PrunePolicy.Decision> decisions = new PrunePolicy(1, 1, 0, 1).apply(snapshots, ZoneId.of("Z"));
        assertThat(decisions.get(0).keptBy()).containsExactly("last", "daily", "monthly");
        assertThat(decisions.get(1).keptBy()).isEmpty();
    }

    @Test
    void refusesAPolicyThatKeepsNothing() {
        assertThatThrownBy(() -> new PrunePolicy(0, 0, 0, 0)).isInstanceOf(BackpointException.class)
                .hasMessageContaining("keeps nothing");
        assertThatThrownBy(() -> new PrunePolicy(-1, 1, 0, 0)).isInstanceOf(BackpointException.class);
    }
}
