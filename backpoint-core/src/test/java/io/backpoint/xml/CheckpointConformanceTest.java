package io.backpoint.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.CheckpointDef;
import io.backpoint.model.CheckpointDiskDef;
import io.backpoint.model.CheckpointType;
import io.backpoint.testing.SharedFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * libvirt's own checkpoint vectors (../shared/conformance/libvirt), run the way its
 * qemudomaincheckpointxml2xmltest does: parse, the test-only edits, format with SECURE, compare
 * byte for byte. The table is the README's.
 */
class CheckpointConformanceTest {
    private static final String IN = "conformance/libvirt/qemudomaincheckpointxml2xmlin/";
    private static final String OUT = "conformance/libvirt/qemudomaincheckpointxml2xmlout/";

    /** The test-only edits of libvirt's test program. */
    enum Edit { REDEFINE, PARENT, VDA_BITMAP, SIZE }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("redefine", 0L, EnumSet.of(Edit.REDEFINE)),
                Arguments.of("empty", 1525889631L, EnumSet.of(Edit.VDA_BITMAP)),
                Arguments.of("disk-default", 1525889631L, EnumSet.of(Edit.PARENT, Edit.VDA_BITMAP)),
                Arguments.of("sample", 1525889631L, EnumSet.of(Edit.PARENT, Edit.VDA_BITMAP)),
                Arguments.of("size", 1553648510L, EnumSet.of(Edit.PARENT, Edit.VDA_BITMAP, Edit.SIZE)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesLibvirtOutput(String name, long mockCreationTime, Set<Edit> edits) throws IOException {
        boolean redefine = edits.contains(Edit.REDEFINE);
        String input = read((redefine ? OUT : IN) + name + ".xml");
        String expected = read(OUT + name + ".xml");

        Clock clock = Clock.fixed(Instant.ofEpochSecond(mockCreationTime), ZoneOffset.UTC);
        CheckpointDef def = CheckpointXml.parse(input,
                redefine ? EnumSet.of(CheckpointParseFlag.REDEFINE) : EnumSet.noneOf(CheckpointParseFlag.class), clock);
        if (!redefine) {
            assertThat(def.creationTime()).isEqualTo(mockCreationTime);
        }
        if (edits.contains(Edit.PARENT)) {
            assertThat(def.parentName()).as("TEST_PARENT needs an input without parent").isNull();
            def = def.withParentName("1525111885");
        }
        if (edits.contains(Edit.VDA_BITMAP)) {
            def = vdaBitmap(def);
        }
        Set<CheckpointFormatFlag> formatFlags = EnumSet.of(CheckpointFormatFlag.SECURE);
        if (edits.contains(Edit.SIZE)) {
            List<CheckpointDiskDef> disks = new ArrayList<>(def.disks());
            disks.set(0, disks.get(0).withSize(1048576L));
            def = def.withDisks(disks);
            formatFlags.add(CheckpointFormatFlag.SIZE);
        }

        assertThat(CheckpointXml.format(def, formatFlags)).isEqualTo(expected);
    }

    /** TEST_VDA_BITMAP: a zeroed extra entry at the end, then disks[0] becomes vda with the default bitmap. */
    private static CheckpointDef vdaBitmap(CheckpointDef def) {
        List<CheckpointDiskDef> disks = new ArrayList<>(def.disks());
        disks.add(new CheckpointDiskDef(null, CheckpointType.DEFAULT, null, null));
        CheckpointDiskDef first = disks.get(0);
        assertThat(first.bitmap()).isNull();
        if (first.name() == null) {
            first = new CheckpointDiskDef("vda", CheckpointType.BITMAP, null, first.size());
        } else {
            assertThat(first.name()).isEqualTo("vda");
        }
        disks.set(0, first.withBitmap(def.name()));
        return def.withDisks(disks);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidCases")
    void invalidInputFailsSchema(String name, String expectedInMessage) throws IOException {
        String input = read(IN + name + ".xml");
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1525889631L), ZoneOffset.UTC);
        assertThatThrownBy(() -> CheckpointXml.parse(input, EnumSet.noneOf(CheckpointParseFlag.class), clock))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.XML_INVALID_SCHEMA);
                    assertThat(e.getMessage()).contains(expectedInMessage);
                });
    }

    static Stream<Arguments> invalidCases() {
        return Stream.of(
                Arguments.of("disk-invalid", "element \"disk\" missing required attribute \"name\""),
                Arguments.of("name-invalid", "element \"name\" invalid"));
    }

    /** The law on libvirt's outputs: read back as redefinitions, they format to themselves (sizes are never read). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void outputsRedefineToThemselves(String name) throws IOException {
        String out = read(OUT + name + ".xml");
        CheckpointDef def = CheckpointXml.parse(out, EnumSet.of(CheckpointParseFlag.REDEFINE), null);
        assertThat(CheckpointXml.format(def, EnumSet.of(CheckpointFormatFlag.SECURE))).isEqualTo(Fixtures.withoutSizes(out));
    }

    @Test
    void everyVectorIsCovered() throws IOException {
        Path root = shared();
        List<String> known = List.of("redefine", "empty", "disk-default", "sample", "size", "disk-invalid", "name-invalid");
        try (Stream<Path> in = Files.list(root.resolve(IN)); Stream<Path> out = Files.list(root.resolve(OUT))) {
            Stream.concat(in, out).map(p -> p.getFileName().toString().replace(".xml", ""))
                    .forEach(n -> assertThat(known).as("vector %s has a case", n).contains(n));
        }
    }

    private static Path shared() {
        var root = SharedFiles.root();
        assumeTrue(root.isPresent(), "../shared is absent: libvirt conformance vectors skipped");
        return root.get();
    }

    private static String read(String relative) throws IOException {
        return Files.readString(shared().resolve(relative), StandardCharsets.UTF_8);
    }
}
