package io.backpoint.cli.recover;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** virsh's progress line: truncated percent, never 100 before the end; plain lines off a terminal. */
class PullProgressTest {
    @Test
    void roundsAsVirshDoes() {
        assertThat(PullProgress.line("Block Pull", 42, 100)).isEqualTo("Block Pull: [ 42 %]");
        assertThat(PullProgress.line("Block Pull", 0, 100)).isEqualTo("Block Pull: [  0 %]");
        assertThat(PullProgress.percent(999, 1000)).isEqualTo(99);
        assertThat(PullProgress.percent(1000, 1000)).isEqualTo(100);
        assertThat(PullProgress.percent(0, 0)).isEqualTo(100);
    }

    @Test
    void redrawsOnATerminalAndPrintsEveryTenPercentOtherwise() {
        ByteArrayOutputStream tty = new ByteArrayOutputStream();
        PullProgress t = new PullProgress(new PrintStream(tty, true, StandardCharsets.UTF_8), true);
        t.update(1, 4);
        t.update(4, 4);
        t.finish();
        assertThat(tty.toString(StandardCharsets.UTF_8)).isEqualTo("\rBlock Pull: [ 25 %]\rBlock Pull: [100 %]\n");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PullProgress l = new PullProgress(new PrintStream(log, true, StandardCharsets.UTF_8), false);
        for (int i = 0; i <= 100; i++) {
            l.update(i, 100);
        }
        l.finish();
        assertThat(log.toString(StandardCharsets.UTF_8).lines()).hasSize(11).first().isEqualTo("Block Pull: [  0 %]");
    }
}
