package io.backpoint.cli.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackupProgressTest {
    private static final long MIB = 1L << 20;

    private static JobInfo at(long processedMib, long elapsedMillis) {
        return new JobInfo(JobType.UNBOUNDED, 9, elapsedMillis, 2048 * MIB, processedMib * MIB, 0, 0, null);
    }

    @Test
    void plainOutputHasALineEveryFivePercent() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BackupProgress p = new BackupProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        for (long mib : List.of(0L, 40L, 102L, 103L, 860L, 870L, 2048L)) {
            p.update(at(mib, 1000));
        }
        p.finish();
        assertThat(bytes.toString(StandardCharsets.UTF_8).split(System.lineSeparator())).containsExactly(
                "backup: 0% (0/2048 MiB)", "backup: 5% (103/2048 MiB)", "backup: 41% (860/2048 MiB)",
                "backup: 100% (2048/2048 MiB)");
    }

    @Test
    void terminalOutputRedrawsOneLineWithRate() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BackupProgress p = new BackupProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        p.update(at(1024, 2000));
        p.finish();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("\rbackup: [###############               ]  50% 1024/2048 MiB 512.0 MiB/s")
                .endsWith(System.lineSeparator()).doesNotContain("\n\r");
    }
}
