package io.backpoint.cli.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** domjobinfo's output, line for line as virsh prints a backup job (trailing spaces included). */
class JobInfoPrinterTest {
    private static String print(JobInfo info, boolean anyStats) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        JobInfoPrinter.print(out, info, anyStats);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void runningPushJob() {
        JobInfo info = new JobInfo(JobType.UNBOUNDED, 9, 1234, 128L << 20, 96L << 20, 0, 0, null);
        assertThat(print(info, false)).isEqualTo(String.join(System.lineSeparator(),
                "Job type:         Unbounded   ",
                "Operation:        Backup      ",
                "Time elapsed:     1234         ms",
                "File processed:   96.000 MiB",
                "File remaining:   32.000 MiB",
                "File total:       128.000 MiB", ""));
    }

    @Test
    void completedPullJobShowsTemporarySpace() {
        JobInfo info = new JobInfo(JobType.COMPLETED, 9, 20, 0, 0, 3L << 20, 64L << 20, null);
        assertThat(print(info, false)).isEqualTo(String.join(System.lineSeparator(),
                "Job type:         Completed   ",
                "Operation:        Backup      ",
                "Time elapsed:     20           ms",
                "Temporary disk space use: 3.000 MiB",
                "Temporary disk space total: 64.000 MiB", ""));
    }

    @Test
    void noJobAndFailedJobWithAndWithoutAnystats() {
        assertThat(print(JobInfo.NONE, false)).isEqualTo("Job type:         None        " + System.lineSeparator());
        JobInfo failed = new JobInfo(JobType.FAILED, 9, 7, 1000, 10, 0, 0, "No space left on device");
        assertThat(print(failed, false)).isEqualTo("Job type:         Failed      " + System.lineSeparator());
        assertThat(print(failed, true)).contains("File processed:   10.000 B" + System.lineSeparator())
                .contains("File remaining:   990.000 B").contains("File total:       1000.000 B")
                .endsWith("Error message:    No space left on device" + System.lineSeparator());
    }

    @Test
    void unitsFollowVshPrettyCapacity() {
        assertThat(JobInfoPrinter.pretty(0)).isEqualTo("0.000 B");
        assertThat(JobInfoPrinter.pretty(1023)).isEqualTo("1023.000 B");
        assertThat(JobInfoPrinter.pretty(1536)).isEqualTo("1.500 KiB");
        assertThat(JobInfoPrinter.pretty(5L << 30)).isEqualTo("5.000 GiB");
        assertThat(JobInfoPrinter.operation(9)).isEqualTo("Backup");
        assertThat(JobInfoPrinter.operation(42)).isEqualTo("Unknown");
    }
}
