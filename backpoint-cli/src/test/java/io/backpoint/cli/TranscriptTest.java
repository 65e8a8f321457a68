package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.testing.SharedFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replays the virsh transcripts of ../shared/conformance/virsh: every NAME.cmds joined with "; "
 * as one argument, run in that directory, must print NAME.stdout byte for byte (creation times of
 * the moment aside; those from the r*.xml files must match), the error lines of NAME.stderr up to
 * the second colon in order, and exit as the README says.
 */
@ExtendWith(UtcTimeZone.class)
class TranscriptTest {
    private static final Pattern EXIT = Pattern.compile("`(\\w+)` exits (\\d+)");



    @TestFactory
    Stream<DynamicTest> transcripts() throws IOException {
        Path dir = SharedFiles.resolve("conformance/virsh").orElse(null);
        if (dir == null) {
            // An assumption in the factory itself would report zero tests; one skipped test says why.
            return Stream.of(DynamicTest.dynamicTest("virsh transcripts", () -> SharedFiles.require("conformance/virsh")));
        }
        Map<String, Integer> exits = exitStatuses(dir);
        Set<Long> fixed = fixedTimes(dir);
        List<Path> cmds;
        try (Stream<Path> s = Files.list(dir)) {
            cmds = s.filter(p -> p.getFileName().toString().endsWith(".cmds")).sorted().toList();
        }
        assertThat(cmds).as("transcripts in %s", dir).isNotEmpty();
        return cmds.stream().map(p -> {
            String name = p.getFileName().toString().replaceFirst("\\.cmds$", "");
            return DynamicTest.dynamicTest(name, () -> replay(dir, name, exits.getOrDefault(name, 0), fixed));
        });
    }

    private static void replay(Path dir, String name, int exit, Set<Long> fixed) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve(name + ".cmds"), StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank()).toList();
        long from = System.currentTimeMillis() / 1000;
        CliRun run = CliRun.commands(dir, String.join("; ", lines));
        long to = System.currentTimeMillis() / 1000 + 1;

        String expectedOut = Files.readString(dir.resolve(name + ".stdout"), StandardCharsets.UTF_8);
        String expectedErr = Files.readString(dir.resolve(name + ".stderr"), StandardCharsets.UTF_8);
        assertThat(Times.ofRun(run.stdout(), from, to)).as("%s stdout", name)
                .isEqualTo(Times.ofRecording(expectedOut, fixed));
        assertThat(CliRun.errorKeys(run.stderr())).as("%s stderr error lines (whole stderr: %s)", name, run.stderr())
                .isEqualTo(CliRun.errorKeys(expectedErr));
        assertThat(run.status()).as("%s exit status; stderr: %s", name, run.stderr()).isEqualTo(exit);
    }

    /** "`basic` exits 1": the README names the transcripts that do not exit 0. */
    private static Map<String, Integer> exitStatuses(Path dir) throws IOException {
        Map<String, Integer> exits = new HashMap<>();
        Path readme = dir.resolve("README.md");
        if (Files.exists(readme)) {
            Matcher m = EXIT.matcher(Files.readString(readme, StandardCharsets.UTF_8));
            while (m.find()) {
                exits.put(m.group(1), Integer.parseInt(m.group(2)));
            }
        }
        return exits;
    }

    /** The creation times written in the directory's XML files: these never depend on the run. */
    private static Set<Long> fixedTimes(Path dir) throws IOException {
        Set<Long> fixed = new HashSet<>();
        Pattern time = Pattern.compile("<creationTime>(\\d+)</creationTime>");
        try (Stream<Path> s = Files.list(dir)) {
            for (Path xml : s.filter(p -> p.toString().endsWith(".xml")).toList()) {
                Matcher m = time.matcher(Files.readString(xml, StandardCharsets.UTF_8));
                while (m.find()) {
                    fixed.add(Long.parseLong(m.group(1)));
                }
            }
        }
        return fixed;
    }
}
