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

    /**
     * Values domain.rng refused that reach paths (a relative source would resolve against the
     * caller's directory) and QEMU's command line (a comma in a target adds -device options).
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "<source file='rel/../x.qcow2'/>|<source file='/images/vda.qcow2'/>|disk source file 'rel/../x.qcow2'",
        "<source file='/images/v&#10;da.qcow2'/>|<source file='/images/vda.qcow2'/>|disk source file",
        "<source dev='dev/sda'/>|<source file='/images/vda.qcow2'/>|disk source dev 'dev/sda'",
        "<target dev='vda,file=/etc/shadow' bus='virtio'/>|<target dev='vda' bus='virtio'/>|disk target dev 'vda,file=/etc/shadow'",
        "<target dev='eth0' bus='virtio'/>|<target dev='vda' bus='virtio'/>|disk target dev 'eth0'",
        "<target bus='virtio'/>|<target dev='vda' bus='virtio'/>|missing disk target dev",
        "<name>vm1</name><uuid>zz</uuid>|<name>vm1</name>|domain uuid 'zz'",
        "<disk type='pipe' device='disk'>|<disk type='file' device='disk'>|disk type 'pipe'",
        "<disk type='file' device='tape'>|<disk type='file' device='disk'>|disk device 'tape'",
    })
    void aFieldTheSchemaRefusedIsRefused(String change) throws IOException {
        String[] parts = change.split("\\|");
        String bad = GOOD.replace(parts[1], parts[0]);
        assertThat(bad).as("the damage applies").isNotEqualTo(GOOD);
        Path file = layout.domainFile("vm1");
        Files.writeString(file, bad);
        assertError(() -> definitions.load("vm1"), ErrorCode.XML_ERROR,
                "domain definition file '" + file + "' is damaged", parts[2]);
        assertThat(Files.readString(file)).as("left alone").isEqualTo(bad);
    }

    /** What the schema allowed still loads: block and network sources, a bare uuid, an old Xen target. */
    @Test
    void whatTheSchemaAllowedStillLoads() throws IOException {
        String xml = GOOD.replace("<name>vm1</name>", "<name>vm1</name><uuid>6695EB01F6A4830479AA97F2502E193F</uuid>")
                .replace("<disk type='file' device='disk'>", "<disk type='block' device='disk'>")
                .replace("<source file='/images/vda.qcow2'/>", "<source dev='/dev/sda'/>")
                .replace("</devices>", "<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
                        + "<source protocol='nbd' name='export x,y'/><target dev='ioemu:vdb' bus='virtio'/></disk></devices>");
        Files.writeString(layout.domainFile("vm1"), xml);
        var def = definitions.load("vm1");
        assertThat(def.uuid()).isEqualTo("6695eb01-f6a4-8304-79aa-97f2502e193f");
        assertThat(def.diskByTarget("vda").source()).isEqualTo("/dev/sda");
        assertThat(def.diskByTarget("vdb").source()).isEqualTo("export x,y");
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
