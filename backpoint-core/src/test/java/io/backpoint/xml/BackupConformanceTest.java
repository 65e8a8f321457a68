package io.backpoint.xml;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.backup.BackupAlign;
import io.backpoint.model.BackupDef;
import io.backpoint.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * libvirt's own backup vectors ({@code shared/conformance/libvirt}), run the way
 * genericxml2xmltest runs them: parse, align against a fake domain with suffix SUFFIX, format,
 * compare byte for byte.
 */
class BackupConformanceTest {
    private static final String IN = "conformance/libvirt/domainbackupxml2xmlin";
    private static final String OUT = "conformance/libvirt/domainbackupxml2xmlout";

    static Stream<Arguments> vectors() {
        return Stream.of(
                Arguments.of("empty", false),
                Arguments.of("backup-pull", false),
                Arguments.of("backup-pull-unix", false),
                Arguments.of("backup-pull-fd", false),
                Arguments.of("backup-pull-seclabel", false),
                Arguments.of("backup-pull-encrypted", false),
                Arguments.of("backup-push", false),
                Arguments.of("backup-push-seclabel", false),
                Arguments.of("backup-push-encrypted", false),
                Arguments.of("backup-pull-internal-invalid", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void matchesLibvirtOutput(String name, boolean internal) throws Exception {
        Optional<Path> root = SharedFiles.root();
        Assumptions.assumeTrue(root.isPresent(), "shared/ with libvirt conformance vectors not found; skipped");
        String in = Files.readString(root.get().resolve(IN).resolve(name + ".xml"));
        String expected = Files.readString(root.get().resolve(OUT).resolve(name + ".xml"));

        Set<BackupParseFlag> flags = internal ? EnumSet.of(BackupParseFlag.INTERNAL) : EnumSet.noneOf(BackupParseFlag.class);
        BackupDef parsed = BackupXml.parse(in, flags);
        BackupDef aligned = BackupAlign.align(parsed, BackupFakeDomain.forBackup(parsed), BackupFakeDomain.SUFFIX);

        assertThat(BackupXml.format(aligned, internal)).isEqualTo(expected);
    }

    @Test
    void everyVectorIsListed() throws Exception {
        Optional<Path> dir = SharedFiles.resolve(IN);
        Assumptions.assumeTrue(dir.isPresent(), "shared/ with libvirt conformance vectors not found; skipped");
        try (Stream<Path> files = Files.list(dir.get())) {
            assertThat(files.map(p -> p.getFileName().toString().replaceFirst("\\.xml$", "")))
                    .containsExactlyInAnyOrderElementsOf(vectors().map(a -> (String) a.get()[0]).toList());
        }
    }
}
