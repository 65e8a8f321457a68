package io.backpoint.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.XmlNode;
import io.backpoint.testing.SharedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every fixture that should validate does, against the schema for its root element. */
class SchemaTest {
    /** Our own fixtures: every in/ file that is not -invalid, every out/ file, every domain. */
    static Stream<String> ownFixtures() {
        List<String> all = new ArrayList<>();
        Fixtures.list("in").stream().filter(n -> !n.endsWith("-invalid.xml")).forEach(n -> all.add("in/" + n));
        Fixtures.list("out").forEach(n -> all.add("out/" + n));
        Fixtures.list("domains").forEach(n -> all.add("domains/" + n));
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ownFixtures")
    void ownFixtureValidates(String relative) {
        XmlNode root = XmlInput.parse(Fixtures.read(relative));
        Schemas.validate(root, Schemas.Kind.ofRoot(root.name()));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "conformance/libvirt/qemudomaincheckpointxml2xmlin/disk-default.xml",
        "conformance/libvirt/qemudomaincheckpointxml2xmlin/empty.xml",
        "conformance/libvirt/qemudomaincheckpointxml2xmlin/sample.xml",
        "conformance/libvirt/qemudomaincheckpointxml2xmlin/size.xml",
        "conformance/libvirt/qemudomaincheckpointxml2xmlout/disk-default.xml",
        "conformance/libvirt/qemudomaincheckpointxml2xmlout/empty.xml",
        "conformance/libvirt/qemudomaincheckpointxml2xmlout/redefine.xml",
        "conformance/libvirt/qemudomaincheckpointxml2xmlout/sample.xml",
        "conformance/libvirt/qemudomaincheckpointxml2xmlout/size.xml",
        "conformance/virsh/r1.xml",
        "conformance/virsh/r2.xml",
        "conformance/virsh/r3.xml",
        "conformance/virsh/r4.xml",
        "conformance/virsh/test-default-domain.xml"
    })
    void sharedFixtureValidates(String relative) throws IOException {
        XmlNode root = XmlInput.parse(Files.readString(shared(relative)));
        Schemas.validate(root, Schemas.Kind.ofRoot(root.name()));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"disk-invalid.xml", "name-invalid.xml"})
    void sharedInvalidFixtureFails(String file) throws IOException {
        XmlNode root = XmlInput.parse(Files.readString(shared("conformance/libvirt/qemudomaincheckpointxml2xmlin/" + file)));
        assertThatThrownBy(() -> Schemas.validate(root, Schemas.Kind.CHECKPOINT))
                .isInstanceOfSatisfying(BackpointException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.XML_INVALID_SCHEMA));
    }

    /** The <domain> inside libvirt's redefine.xml is an ordinary domain and validates on its own too. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conformance/libvirt/qemudomaincheckpointxml2xmlout/redefine.xml"})
    void embeddedDomainValidatesAlone(String relative) throws IOException {
        XmlNode domain = XmlInput.parse(Files.readString(shared(relative))).child("domain");
        assertThat(domain).isNotNull();
        assertThatCode(() -> Schemas.validate(domain, Schemas.Kind.DOMAIN)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "a", "0", "_x", "-x", "c1.2", "weekly.2024-06_A", "1525889631"
    })
    void checkpointNamesAccepted(String name) {
        Schemas.validate(XmlInput.parse("<domaincheckpoint><name>" + name + "</name></domaincheckpoint>"), Schemas.Kind.CHECKPOINT);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
        ".", "..", ".x", "a/b", "../escape", "a b", " a", "a\tb", "a&#10;b", "ü", "a:b", "a*", "a\\b"
    })
    void checkpointNamesRefused(String name) {
        XmlNode root = XmlInput.parse("<domaincheckpoint><name>" + name + "</name></domaincheckpoint>");
        assertThatThrownBy(() -> Schemas.validate(root, Schemas.Kind.CHECKPOINT))
                .isInstanceOfSatisfying(BackpointException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.XML_INVALID_SCHEMA));
    }

    /**
     * Checkpoint documents on which our schema once disagreed with libvirt's (found by
     * LibvirtSchemaDifferentialTest); libvirt's schema accepts each of these.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "<domaincheckpoint><disks>\n  <disk name='vda'/>\n</disks></domaincheckpoint>",
        "<domaincheckpoint><disks><disk name='C:\\disk.qcow2'/></disks></domaincheckpoint>",
        "<domaincheckpoint><disks><disk name='/a'/></disks></domaincheckpoint>",
        "<domaincheckpoint><creationTime>01</creationTime></domaincheckpoint>",
        "<domaincheckpoint><disks><disk name='vda' size='18446744073709551615'/></disks></domaincheckpoint>",
    })
    void acceptedAsLibvirtDoes(String xml) {
        assertThatCode(() -> Schemas.validate(XmlInput.parse(xml), Schemas.Kind.CHECKPOINT)).doesNotThrowAnyException();
    }

    /** The same, for documents libvirt's schema refuses. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "<domaincheckpoint><disks>text<disk name='vda'/></disks></domaincheckpoint>",
        "<domaincheckpoint><name>c</name>text</domaincheckpoint>",
        "<domaincheckpoint><parent>p<name>c</name></parent></domaincheckpoint>",
        "<domaincheckpoint><disks><disk name='/'/></disks></domaincheckpoint>",
        "<domaincheckpoint><creationTime>+1</creationTime></domaincheckpoint>",
        "<domaincheckpoint><creationTime>-0</creationTime></domaincheckpoint>",
        "<domaincheckpoint><creationTime> 1</creationTime></domaincheckpoint>",
        "<domaincheckpoint><creationTime>1\n</creationTime></domaincheckpoint>",
        "<domaincheckpoint><disks><disk name='vda' size='+1'/></disks></domaincheckpoint>",
        "<domaincheckpoint><disks><disk name='vda' size='1 '/></disks></domaincheckpoint>",
        "<domaincheckpoint><disks><disk name='vda' size='18446744073709551616'/></disks></domaincheckpoint>",
    })
    void refusedAsLibvirtDoes(String xml) {
        XmlNode root = XmlInput.parse(xml);
        assertThatThrownBy(() -> Schemas.validate(root, Schemas.Kind.CHECKPOINT))
                .isInstanceOfSatisfying(BackpointException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.XML_INVALID_SCHEMA));
    }

    /** Validators are reused per thread: a failure half-way through a document must not leak into the next one. */
    @org.junit.jupiter.api.Test
    void reusedValidatorForgetsAFailedDocument() {
        XmlNode good = XmlInput.parse(Fixtures.read("in/many-devices.xml"));
        XmlNode bad = XmlInput.parse(Fixtures.read("in/domain-disk-without-target-invalid.xml"));
        XmlNode alsoBad = XmlInput.parse("<domaincheckpoint><name>a</name><name>b</name></domaincheckpoint>");
        for (int i = 0; i < 3; i++) {
            assertThatCode(() -> Schemas.validate(good, Schemas.Kind.CHECKPOINT)).doesNotThrowAnyException();
            assertThatThrownBy(() -> Schemas.validate(bad, Schemas.Kind.CHECKPOINT)).isInstanceOf(BackpointException.class);
            assertThatThrownBy(() -> Schemas.validate(alsoBad, Schemas.Kind.CHECKPOINT)).isInstanceOf(BackpointException.class);
            // a different kind on the same thread in between
            assertThatCode(() -> Schemas.validate(good.child("domain"), Schemas.Kind.DOMAIN)).doesNotThrowAnyException();
        }
    }

    /** Packaged in a jar, a schema's include must still find its sibling, and nothing else is fetched. */
    @org.junit.jupiter.api.Test
    void includesResolveToOurOwnSchemasOnly() throws IOException {
        var input = Schemas.resolveInclude("http://www.w3.org/2001/XMLSchema", null, null, "domain.rng",
                "jar:file:/opt/backpoint/lib/backpoint-core.jar!/io/backpoint/schemas/domaincheckpoint.rng");
        assertThat(input.getSystemId()).endsWith("/io/backpoint/schemas/domain.rng");
        try (var in = input.getByteStream()) {
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).contains("<define name=\"bpDomain\">");
        }
        assertThatThrownBy(() -> Schemas.resolveInclude("", null, null, "http://example.org/evil.xsd", null))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Schemas.resolveInclude("", null, null, "/etc/passwd", null))
                .isInstanceOf(IllegalStateException.class);
    }

    private static Path shared(String relative) {
        Optional<Path> p = SharedFiles.resolve(relative);
        assumeTrue(p.isPresent(), "../shared is absent: " + relative + " skipped");
        return p.get();
    }
}
