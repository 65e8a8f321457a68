package io.backpoint.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.checkpoint.CheckpointAlign;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.CheckpointDef;
import io.backpoint.model.CheckpointDiskDef;
import io.backpoint.model.CheckpointType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our own checkpoint xml2xml cases: in/NAME.xml is parsed with the case's flags, optionally run
 * through the case's steps, formatted with its flags and compared with out/NAME.xml byte for byte.
 * {@code -invalid} inputs must fail with the listed error code. Run with
 * {@code -Dbackpoint.regenerate=true} to rewrite the expected files for review.
 */
class CheckpointXml2XmlTest {
    private static final long NOW = 1_700_000_000L;
    private static final Set<CheckpointParseFlag> PLAIN = EnumSet.noneOf(CheckpointParseFlag.class);
    private static final Set<CheckpointParseFlag> REDEFINE = EnumSet.of(CheckpointParseFlag.REDEFINE);
    private static final Set<CheckpointFormatFlag> SECURE = EnumSet.of(CheckpointFormatFlag.SECURE);

    /** What a case does between parse and format. */
    enum Step {
        /** Attach domains/mixed-disks.xml as the checkpoint's domain, then align. */
        ALIGN_MIXED,
        /** {@link CheckpointAlign#assignDefaultBitmaps}. */
        DEFAULT_BITMAPS,
        /** Give each bitmap disk a size of (index + 1) MiB, as a driver would. */
        SIZES
    }

    record Case(String name, Set<CheckpointParseFlag> parse, Set<CheckpointFormatFlag> format, Set<Step> steps) {
        @Override
        public String toString() {
            return name;
        }
    }

    record Invalid(String name, Set<CheckpointParseFlag> parse, ErrorCode code, String inMessage) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("description-specials", PLAIN, SECURE, Set.of()),
                new Case("default-name", PLAIN, SECURE, Set.of()),
                new Case("ignored-fields", PLAIN, EnumSet.of(CheckpointFormatFlag.SECURE, CheckpointFormatFlag.SIZE), Set.of()),
                new Case("checkpoint-no", PLAIN, SECURE, Set.of()),
                new Case("bitmap-names", PLAIN, SECURE, Set.of(Step.DEFAULT_BITMAPS)),
                new Case("disks-by-path", PLAIN, SECURE, Set.of(Step.ALIGN_MIXED)),
                new Case("align-all-disks", PLAIN, EnumSet.of(CheckpointFormatFlag.NO_DOMAIN), Set.of(Step.ALIGN_MIXED)),
                new Case("size", REDEFINE, EnumSet.of(CheckpointFormatFlag.SECURE, CheckpointFormatFlag.SIZE), Set.of(Step.SIZES)),
                new Case("no-domain", REDEFINE, EnumSet.of(CheckpointFormatFlag.SECURE, CheckpointFormatFlag.NO_DOMAIN), Set.of()),
                new Case("secure-passwd", REDEFINE, SECURE, Set.of()),
                new Case("insecure-passwd", REDEFINE, EnumSet.noneOf(CheckpointFormatFlag.class), Set.of()),
                new Case("many-devices", REDEFINE, SECURE, Set.of()),
                new Case("unicode", REDEFINE, SECURE, Set.of()),
                new Case("interleave-order", REDEFINE, SECURE, Set.of()));
    }

    static Stream<Invalid> invalidCases() {
        return Stream.of(
                new Invalid("name-slash-invalid", PLAIN, ErrorCode.XML_INVALID_SCHEMA, "element \"name\""),
                new Invalid("name-leading-dot-invalid", PLAIN, ErrorCode.XML_INVALID_SCHEMA, "element \"name\""),
                new Invalid("name-space-invalid", REDEFINE, ErrorCode.XML_INVALID_SCHEMA, "element \"name\""),
                new Invalid("parent-name-invalid", PLAIN, ErrorCode.XML_INVALID_SCHEMA, "element \"name\""),
                new Invalid("redefine-no-name-invalid", REDEFINE, ErrorCode.XML_ERROR, "a redefined checkpoint must have a name"),
                new Invalid("redefine-no-creationtime-invalid", REDEFINE, ErrorCode.INTERNAL_ERROR, "missing creationTime from existing checkpoint"),
                new Invalid("redefine-huge-creationtime-invalid", REDEFINE, ErrorCode.INTERNAL_ERROR, "missing creationTime"),
                new Invalid("malformed-invalid", PLAIN, ErrorCode.XML_ERROR, "malformed XML at line"),
                new Invalid("wrong-root-invalid", PLAIN, ErrorCode.XML_ERROR, "expecting root element of 'domaincheckpoint', not 'domainsnapshot'"),
                new Invalid("checkpoint-no-with-bitmap-invalid", PLAIN, ErrorCode.XML_INVALID_SCHEMA, "\"bitmap\""),
                new Invalid("checkpoint-type-invalid", PLAIN, ErrorCode.XML_INVALID_SCHEMA, "\"checkpoint\""),
                new Invalid("disk-relative-path-invalid", PLAIN, ErrorCode.XML_INVALID_SCHEMA, "\"name\""),
                new Invalid("unknown-element-invalid", PLAIN, ErrorCode.XML_INVALID_SCHEMA, "\"active\""),
                new Invalid("duplicate-name-invalid", PLAIN, ErrorCode.XML_INVALID_SCHEMA, "\"name\""),
                new Invalid("empty-disks-invalid", PLAIN, ErrorCode.XML_INVALID_SCHEMA, "\"disks\""),
                new Invalid("size-negative-invalid", PLAIN, ErrorCode.XML_INVALID_SCHEMA, "\"size\""),
                new Invalid("creationtime-text-invalid", PLAIN, ErrorCode.XML_INVALID_SCHEMA, "\"creationTime\""),
                new Invalid("domain-bad-uuid-invalid", REDEFINE, ErrorCode.XML_INVALID_SCHEMA, "\"uuid\""),
                new Invalid("domain-disk-without-target-invalid", REDEFINE, ErrorCode.XML_INVALID_SCHEMA, "\"target\""),
                new Invalid("domain-relative-source-invalid", REDEFINE, ErrorCode.XML_INVALID_SCHEMA, "\"file\""),
                new Invalid("domain-type-invalid", REDEFINE, ErrorCode.XML_INVALID_SCHEMA, "\"type\""),
                new Invalid("doctype-invalid", PLAIN, ErrorCode.XML_ERROR, "DOCTYPE"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void inToOut(Case c) throws IOException {
        CheckpointDef def = CheckpointXml.parse(Fixtures.read("in/" + c.name + ".xml"), c.parse, clock());
        if (c.steps.contains(Step.ALIGN_MIXED)) {
            def = CheckpointAlign.align(def.withDomain(DomainXml.parse(Fixtures.read("domains/mixed-disks.xml"))));
        }
        if (c.steps.contains(Step.DEFAULT_BITMAPS)) {
            def = CheckpointAlign.assignDefaultBitmaps(def);
        }
        if (c.steps.contains(Step.SIZES)) {
            List<CheckpointDiskDef> disks = new ArrayList<>();
            for (int i = 0; i < def.disks().size(); i++) {
                CheckpointDiskDef d = def.disks().get(i);
                disks.add(d.type() == CheckpointType.BITMAP ? d.withSize((i + 1) * 1_048_576L) : d);
            }
            def = def.withDisks(disks);
        }
        String actual = CheckpointXml.format(def, c.format);
        if (Boolean.getBoolean("backpoint.regenerate")) {
            Path out = Path.of("src/test/resources/checkpointxml2xml/out", c.name + ".xml");
            Files.writeString(out, actual, StandardCharsets.UTF_8);
        }
        assertThat(actual).isEqualTo(Fixtures.read("out/" + c.name + ".xml"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidCases")
    void invalidInputFails(Invalid c) {
        String xml = Fixtures.read("in/" + c.name + ".xml");
        assertThatThrownBy(() -> CheckpointXml.parse(xml, c.parse, clock()))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(c.code);
                    assertThat(e.getMessage()).contains(c.inMessage);
                });
    }

    /** The law: an output read back as a redefinition and formatted again is the same output. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("outFiles")
    void outToOutWithRedefineIsIdentity(String file) {
        String out = Fixtures.read("out/" + file);
        CheckpointDef def = CheckpointXml.parse(out, REDEFINE, null);
        assertThat(CheckpointXml.format(def, SECURE)).isEqualTo(Fixtures.withoutSizes(out));
    }

    static Stream<String> outFiles() {
        return Fixtures.list("out").stream();
    }

    @Test
    void everyFixtureHasACase() {
        Set<String> named = new HashSet<>();
        cases().forEach(c -> named.add(c.name + ".xml"));
        invalidCases().forEach(c -> named.add(c.name + ".xml"));
        assertThat(Fixtures.list("in")).containsExactlyInAnyOrderElementsOf(named);
        assertThat(Fixtures.list("out")).allMatch(named::contains).hasSize((int) cases().count());
    }

    @Test
    void plainParseTakesTheClockAndDefaultsTheName() {
        CheckpointDef def = CheckpointXml.parse("<domaincheckpoint/>", PLAIN,
                Clock.fixed(Instant.ofEpochSecond(1234567890L, 999_000_000L), ZoneOffset.UTC));
        assertThat(def.creationTime()).isEqualTo(1234567890L);
        assertThat(def.name()).isEqualTo("1234567890");
        assertThat(def.disks()).isEmpty();
        assertThat(def.domain()).isNull();
    }

    @Test
    void redefineKeepsParentAndDomainAndIgnoresSize() {
        CheckpointDef def = CheckpointXml.parse(Fixtures.read("in/no-domain.xml"), REDEFINE, null);
        assertThat(def.parentName()).isEqualTo("nd-parent");
        assertThat(def.creationTime()).isEqualTo(1718000100L);
        assertThat(def.domain()).isNotNull();
        assertThat(def.domain().name()).isEqualTo("web01");
        assertThat(def.disks()).containsExactly(new CheckpointDiskDef("vda", CheckpointType.BITMAP, "nd", null));

        CheckpointDef plain = CheckpointXml.parse(Fixtures.read("in/ignored-fields.xml"), PLAIN, clock());
        assertThat(plain.parentName()).isNull();
        assertThat(plain.domain()).isNull();
        assertThat(plain.creationTime()).isEqualTo(NOW);
        assertThat(plain.disks()).containsExactly(new CheckpointDiskDef("vda", CheckpointType.BITMAP, "c3", null));
    }

    @Test
    void sizeNeedsFlagBitmapAndValue() {
        CheckpointDef def = new CheckpointDef("c", null, null, 1, List.of(
                new CheckpointDiskDef("vda", CheckpointType.BITMAP, "c", 10L),
                new CheckpointDiskDef("vdb", CheckpointType.BITMAP, null, 20L),
                new CheckpointDiskDef("vdc", CheckpointType.BITMAP, "c", null),
                new CheckpointDiskDef(null, CheckpointType.BITMAP, "c", 30L),
                new CheckpointDiskDef("vdd", CheckpointType.DEFAULT, null, null)), null);
        String expected = """
                <domaincheckpoint>
                  <name>c</name>
                  <creationTime>1</creationTime>
                  <disks>
                    <disk name='vda' checkpoint='bitmap' bitmap='c' size='10'/>
                    <disk name='vdb' checkpoint='bitmap'/>
                    <disk name='vdc' checkpoint='bitmap' bitmap='c'/>
                    <disk name='vdd'/>
                  </disks>
                </domaincheckpoint>
                """;
        assertThat(CheckpointXml.format(def, EnumSet.of(CheckpointFormatFlag.SIZE))).isEqualTo(expected);
        assertThat(CheckpointXml.format(def, SECURE)).isEqualTo(expected.replace(" size='10'", ""));
    }

    private static Clock clock() {
        return Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    }
}
