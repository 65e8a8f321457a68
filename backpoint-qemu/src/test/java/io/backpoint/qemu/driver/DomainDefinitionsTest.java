package io.backpoint.qemu.driver;

import static io.backpoint.testing.Errors.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.error.ErrorCode;
import io.backpoint.model.DiskFormat;
import io.backpoint.xml.DomainXml;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stored domain definitions are Backpoint's own state: read without the schema, as libvirt loads
 * its own, and a damaged one is a clear error naming the file.
 */
class DomainDefinitionsTest {
    private static final String GOOD = "<domain type='qemu'>\n  <name>vm1</name>\n  <memory unit='MiB'>128</memory>\n"
            + "  <devices>\n    <disk type='file' device='disk'>\n      <driver name='qemu' type='qcow2'/>\n"
            + "      <source file='/images/vda.qcow2'/>\n      <target dev='vda' bus='virtio'/>\n    </disk>\n"
            + "  </devices>\n</domain>\n";

    @TempDir
    Path root;
    private StateLayout layout;
    private DomainDefinitions definitions;

    @BeforeEach
    void setUp() throws IOException {
        layout = StateLayout.of(URI.create("qemu:///embed?root=" + root));
        Files.createDirectories(layout.domainsDir());
        definitions = new DomainDefinitions(layout);
    }

    @Test
    void aStoredDefinitionIsReadWithoutTheSchema() throws IOException {
        // A value our schema does not know (a later version's bus) would fail domain.rng.
        Files.writeString(layout.domainFile("vm1"), GOOD.replace("bus='virtio'", "bus='nvme'"));
        assertError(() -> DomainXml.parse(Files.readString(layout.domainFile("vm1"))), ErrorCode.XML_INVALID_SCHEMA);
        assertThat(definitions.load("vm1").diskByTarget("vda").driverType()).isEqualTo(DiskFormat.QCOW2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "truncated", "doctype", "unsafe name", "no name", "unknown format", "wrong root"})
    void aDamagedDefinitionNamesItsFile(String damage) throws IOException {
        String bad = switch (damage) {
            case "garbage" -> "not xml \u0001";
            case "truncated" -> GOOD.substring(0, GOOD.length() / 2);
            case "doctype" -> "<!DOCTYPE domain [<!ENTITY e SYSTEM 'file:///etc/hostname'>]>\n"
                    + GOOD.replace("<name>vm1</name>", "<name>&e;</name>");
            case "unsafe name" -> GOOD.replace("<name>vm1</name>", "<name>../vm1</name>");
            case "no name" -> GOOD.replace("<name>vm1</name>", "");
            case "unknown format" -> GOOD.replace("type='qcow2'", "type='none'");
            default -> GOOD.replace("domain", "network");
        };
        Path file = layout.domainFile("vm1");
        Files.writeString(file, bad);
        assertError(() -> definitions.load("vm1"), damage.equals("unsafe name") || damage.equals("no name")
                ? ErrorCode.INVALID_ARG : damage.equals("unknown format") ? ErrorCode.CONFIG_UNSUPPORTED : ErrorCode.XML_ERROR,
                "domain definition file '" + file + "' is damaged");
        assertThat(Files.readString(file)).as("left alone").isEqualTo(bad);
    }
}
