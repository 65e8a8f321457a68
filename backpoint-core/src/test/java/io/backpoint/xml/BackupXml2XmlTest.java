package io.backpoint.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.backup.BackupAlign;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.BackupDef;
import io.backpoint.model.DiskFormat;
import io.backpoint.model.DomainDef;
import io.backpoint.model.DomainDiskDef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backpoint's own backup cases ({@code backupxml2xml/in} and {@code out}): parse, align, format,
 * compare; then the output must come back unchanged through the same steps (out to out).
 * {@code -invalid} cases must fail with the given code and message.
 *
 * <p>Run with {@code -Dbackpoint.regenerate=true} to rewrite the expected files from the current
 * output, then review the diff before committing it.
 */
class BackupXml2XmlTest {
    static final Path SOURCE_DIR = Path.of("src/test/resources/backupxml2xml");
    private static final boolean REGENERATE = Boolean.getBoolean("backpoint.regenerate");
    private static final Set<BackupParseFlag> NONE = EnumSet.noneOf(BackupParseFlag.class);
    private static final Set<BackupParseFlag> INTERNAL = EnumSet.of(BackupParseFlag.INTERNAL);

    /**
     * One case. A null domain means libvirt's test convention: one qcow2 file disk per listed
     * disk plus vdextradisk.
     */
    record Case(String name, Set<BackupParseFlag> flags, DomainDef domain, ErrorCode error, String message) {
        boolean internal() {
            return flags.contains(BackupParseFlag.INTERNAL);
        }

        boolean invalid() {
            return error != null;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static Case ok(String name) {
        return new Case(name, NONE, null, null, null);
    }

    private static Case ok(String name, DomainDef domain) {
        return new Case(name, NONE, domain, null, null);
    }

    private static Case okInternal(String name) {
        return new Case(name, INTERNAL, null, null, null);
    }

    private static Case invalid(String name, ErrorCode code, String message) {
        return new Case(name, NONE, null, code, message);
    }

    private static Case invalidInternal(String name, ErrorCode code, String message) {
        return new Case(name, INTERNAL, null, code, message);
    }

    static List<Case> cases() {
        DomainDef mixed = BackupFakeDomain.of(List.of(
                BackupFakeDomain.fileDisk("vda"),
                new DomainDiskDef("file", "cdrom", DiskFormat.RAW, null, "hdc", "ide", true, false),
                new DomainDiskDef("file", "disk", DiskFormat.RAW, "/images/shared.img", "vdd", "virtio", true, false),
                BackupFakeDomain.fileDisk("vdb")));
        return List.of(
                ok("push-plain"),
                ok("push-all-incremental", mixed),
                ok("push-block-target"),
                ok("push-escaping"),
                ok("pull-tcp-defaults"),
                ok("pull-fd-exports"),
                ok("pull-unix-block"),
                okInternal("internal-push-job"),
                okInternal("internal-pull-job"),
                invalid("schema-mode-invalid", ErrorCode.XML_INVALID_SCHEMA, "domainbackup.rng"),
                invalidInternal("internal-mode-invalid", ErrorCode.CONFIG_UNSUPPORTED, "unknown backup mode 'sideways'"),
                invalidInternal("internal-mode-default-invalid", ErrorCode.CONFIG_UNSUPPORTED,
                        "unknown backup mode 'default'"),
                invalid("push-server-invalid", ErrorCode.XML_INVALID_SCHEMA, "domainbackup.rng"),
                invalidInternal("internal-push-server-invalid", ErrorCode.CONFIG_UNSUPPORTED,
                        "use of <server> requires pull mode backup"),
                invalidInternal("internal-rdma-invalid", ErrorCode.CONFIG_UNSUPPORTED,
                        "transport rdma is not supported for <server>"),
                invalid("relative-socket-invalid", ErrorCode.XML_INVALID_SCHEMA, "domainbackup.rng"),
                invalidInternal("internal-relative-socket-invalid", ErrorCode.XML_ERROR,
                        "backup socket path 'run/nbd.sock' must be absolute"),
                invalidInternal("internal-disk-noname-invalid", ErrorCode.XML_ERROR,
                        "missing name from disk backup element"),
                invalidInternal("internal-disk-type-invalid", ErrorCode.XML_ERROR,
                        "unsupported disk backup type 'network'"),
                invalidInternal("internal-state-missing-invalid", ErrorCode.XML_ERROR, "'state'"),
                invalid("pull-driver-raw-invalid", ErrorCode.XML_INVALID_SCHEMA, "domainbackup.rng"),
                invalid("full-with-incremental-invalid", ErrorCode.XML_INVALID_SCHEMA, "domainbackup.rng"),
                invalid("pull-without-server-invalid", ErrorCode.XML_INVALID_SCHEMA, "domainbackup.rng"),
                new Case("unknown-disk-invalid", NONE, BackupFakeDomain.ofTargets(List.of("vda", "vdb")),
                        ErrorCode.CONFIG_UNSUPPORTED, "no disk named 'vdz'"),
                invalid("disk-twice-invalid", ErrorCode.CONFIG_UNSUPPORTED, "disk 'vda' specified twice"),
                invalid("incremental-mode-no-checkpoint-invalid", ErrorCode.CONFIG_UNSUPPORTED,
                        "'incremental' backup mode of disk 'vdb' requires setting 'incremental' field for disk or backup"),
                invalid("malformed-invalid", ErrorCode.XML_ERROR, "malformed XML"),
                invalid("wrong-root-invalid", ErrorCode.XML_ERROR,
                        "expecting root element of 'domainbackup', not 'domaincheckpoint'"));
    }

    static Stream<Case> validCases() {
        return cases().stream().filter(c -> !c.invalid());
    }

    static Stream<Case> invalidCases() {
        return cases().stream().filter(Case::invalid);
    }

    static String read(String dir, String name) {
        try {
            return Files.readString(SOURCE_DIR.resolve(dir).resolve(name + ".xml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parse, align, format: what a backup job does with the document it is given. */
    static String roundTrip(Case c, String xml) {
        BackupDef parsed = BackupXml.parse(xml, c.flags());
        DomainDef domain = c.domain() != null ? c.domain() : BackupFakeDomain.forBackup(parsed);
        return BackupXml.format(BackupAlign.align(parsed, domain, BackupFakeDomain.SUFFIX), c.internal());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validCases")
    void inToOut(Case c) throws IOException {
        String actual = roundTrip(c, read("in", c.name()));
        Path expectedFile = SOURCE_DIR.resolve("out").resolve(c.name() + ".xml");
        if (REGENERATE) {
            Files.writeString(expectedFile, actual);
        }
        assertThat(actual).isEqualTo(Files.readString(expectedFile));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validCases")
    void outToOutIsStable(Case c) {
        String out = read("out", c.name());
        // The aligned output names every disk, so align against a domain holding exactly those.
        Case again = new Case(c.name(), c.flags(), c.domain(), null, null);
        String actual = c.domain() != null ? roundTrip(again, out) : roundTripOwnDisks(again, out);
        assertThat(actual).isEqualTo(out);
    }

    private static String roundTripOwnDisks(Case c, String xml) {
        BackupDef parsed = BackupXml.parse(xml, c.flags());
        DomainDef domain = BackupFakeDomain.ofTargets(parsed.disks().stream().map(d -> d.name()).toList());
        return BackupXml.format(BackupAlign.align(parsed, domain, BackupFakeDomain.SUFFIX), c.internal());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidCases")
    void invalidInputFails(Case c) {
        assertThat(SOURCE_DIR.resolve("out").resolve(c.name() + ".xml")).doesNotExist();
        assertThatThrownBy(() -> roundTrip(c, read("in", c.name())))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(c.error());
                    assertThat(e.getMessage()).contains(c.message());
                });
    }

    @Test
    void everyFixtureIsListed() throws IOException {
        List<String> names = cases().stream().map(Case::name).toList();
        try (Stream<Path> files = Files.list(SOURCE_DIR.resolve("in"))) {
            assertThat(files.map(p -> p.getFileName().toString().replaceFirst("\\.xml$", "")))
                    .containsExactlyInAnyOrderElementsOf(names);
        }
        assertThat(names.stream().filter(n -> n.endsWith("-invalid")))
                .containsExactlyInAnyOrderElementsOf(invalidCases().map(Case::name).toList());
    }
}
