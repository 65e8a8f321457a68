package io.backpoint.xml;

import static io.backpoint.testing.Errors.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.error.ErrorCode;
import io.backpoint.model.DiskFormat;
import io.backpoint.model.DomainDef;
import io.backpoint.model.XmlNode;
import io.backpoint.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The format enum against the spellings the schemas accept, and the typed error for any other. */
class DiskFormatTest {

    /** The values of one {@code <define>} of a bundled schema, read from the schema itself. */
    private static List<String> schemaValues(String schema, String define) throws IOException {
        String xml;
        try (InputStream in = DiskFormatTest.class.getResourceAsStream("/io/backpoint/schemas/" + schema)) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (XmlNode d : XmlInput.parse(xml).children("define")) {
            if (define.equals(d.attribute("name"))) {
                List<String> values = new ArrayList<>();
                for (XmlNode v : d.child("choice").children("value")) {
                    values.add(v.text());
                }
                return values;
            }
        }
        throw new AssertionError(define + " not in " + schema);
    }

    @Test
    void everyDomainDiskFormatTheSchemaAcceptsIsOneConstantWithItsSpelling() throws IOException {
        List<String> values = schemaValues("domain.rng", "bpImageFormat");
        // libvirt's schema has aio (read as raw) and no none (its parser refuses it).
        assertThat(values).contains("aio").doesNotContain("none");
        Set<DiskFormat> seen = EnumSet.noneOf(DiskFormat.class);
        for (String v : values) {
            if (v.equals("aio")) {
                continue;
            }
            DiskFormat f = DiskFormat.fromXml(v);
            assertThat(f).as(v).isNotNull();
            assertThat(f.xml()).isEqualTo(v);
            seen.add(f);
        }
        assertThat(seen).containsExactlyInAnyOrder(DiskFormat.values());
    }

    @Test
    void theBackupStoreFormatsAreTheOnesDomainbackupRngAccepts() throws IOException {
        Set<DiskFormat> schema = EnumSet.noneOf(DiskFormat.class);
        for (String v : schemaValues("domainbackup.rng", "imageFormat")) {
            schema.add(DiskFormat.fromXml(v));
        }
        assertThat(BackupXmlReader.STORE_FORMATS).isEqualTo(schema);
    }

    @Test
    void unknownSpellingsAreNoFormat() {
        assertThat(DiskFormat.fromXml("none")).isNull();
        assertThat(DiskFormat.fromXml("aio")).isNull(); // a domain disk's spelling, not a format
        assertThat(DiskFormat.fromXml("QCOW2")).isNull();
        assertThat(DiskFormat.fromXml("raw-xz")).isNull();
        assertThat(DiskFormat.fromXml(null)).isNull();
    }

    @Test
    void domainDiskFormatsAreReadIntoTheEnum() {
        XmlNode domain = XmlInput.parse("<domain type='kvm'><name>d</name><devices>"
                + "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/a'/>"
                + "<target dev='vda'/></disk>"
                + "<disk type='file' device='disk'><driver name='qemu'/><source file='/b'/><target dev='vdb'/></disk>"
                + "</devices></domain>");
        assertThat(DomainXml.fromElement(domain).diskByTarget("vda").driverType()).isEqualTo(DiskFormat.QCOW2);
        assertThat(DomainXml.fromElement(domain).diskByTarget("vdb").driverType()).isNull();
    }

    @Test
    void anUnknownDomainDiskFormatIsLibvirtsError() {
        // domain.rng refuses it in a parsed document; extraction refuses it on its own too.
        XmlNode domain = XmlInput.parse("<domain type='kvm'><name>d</name><devices>"
                + "<disk type='file' device='disk'><driver name='qemu' type='raw-xz'/><source file='/a'/>"
                + "<target dev='vda'/></disk></devices></domain>");
        assertError(() -> DomainXml.fromElement(domain), ErrorCode.CONFIG_UNSUPPORTED,
                "unknown driver format value 'raw-xz'");
    }

    private static String domainWithFormat(String format) {
        return "<domain type='qemu'><name>s5sm-fmt-" + format + "</name><memory unit='KiB'>131072</memory>"
                + "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                + "<disk type='file' device='disk'><driver name='qemu' type='" + format + "' cache='none'/>"
                + "<source file='/var/lib/s5sm.img'/><target dev='vda' bus='virtio'/></disk></devices></domain>";
    }

    @Test
    void aioIsReadAsRawAndPrintedAsRawAsLibvirtDoes() {
        DomainDef def = DomainXml.parse(domainWithFormat("aio"));
        assertThat(def.diskByTarget("vda").driverType()).isEqualTo(DiskFormat.RAW);
        String printed = DomainXml.format(def, EnumSet.noneOf(DomainXml.FormatFlag.class));
        assertThat(printed).contains("<driver name='qemu' type='raw' cache='none'/>").doesNotContain("type='aio'");
        // What the QEMU driver launches from is the kept tree: raw there too.
        assertThat(def.element().child("devices").child("disk").child("driver").attribute("type")).isEqualTo("raw");
    }

    @Test
    void noneIsRefusedAsLibvirtRefusesIt() {
        // libvirt's schema has no none, and its parser calls it an unknown format.
        assertError(() -> DomainXml.parse(domainWithFormat("none")), ErrorCode.XML_INVALID_SCHEMA,
                "Unable to validate doc against domain.rng");
        XmlNode domain = XmlInput.parse(domainWithFormat("none"));
        assertError(() -> DomainXml.fromElement(domain), ErrorCode.CONFIG_UNSUPPORTED,
                "unknown driver format value 'none'");
    }

    /** libvirt's own parser (virsh's test driver: domain_conf.c, no daemon) is the oracle. */
    @Test
    void libvirtAgrees(@TempDir Path dir) throws Exception {
        Tools.assumeOnPath("virsh");
        Path aio = Files.writeString(dir.resolve("aio.xml"), domainWithFormat("aio"));
        String dumped = Tools.run("virsh", "-c", "test:///default", "define " + aio + "; dumpxml s5sm-fmt-aio");
        String ours = DomainXml.format(DomainXml.parse(domainWithFormat("aio")), EnumSet.noneOf(DomainXml.FormatFlag.class));
        assertThat(driverLine(dumped)).isEqualTo(driverLine(ours)).contains("type='raw'");

        Path none = Files.writeString(dir.resolve("none.xml"), domainWithFormat("none"));
        assertThatThrownBy(() -> Tools.run("virsh", "-c", "test:///default", "define " + none))
                .hasMessageContaining("error: unsupported configuration: unknown driver format value 'none'");
    }

    private static String driverLine(String xml) {
        return xml.lines().map(String::trim).filter(l -> l.startsWith("<driver ")).findFirst().orElseThrow();
    }

    @Test
    void anUnknownBackupStoreFormatInAJobRecordIsATypedError() {
        // Job records are read without the schema, so the reader's own check is what answers.
        String record = "<domainbackup mode='push'><disks><disk name='vda' backup='yes' type='file' state='running'>"
                + "<driver type='%s'/><target file='/t'/></disk></disks></domainbackup>";
        assertError(() -> BackupXml.parse(String.format(record, "vhdx"), EnumSet.of(BackupParseFlag.INTERNAL)), ErrorCode.XML_ERROR,
                "unknown storage format type 'vhdx'");
        assertThat(BackupXml.parse(String.format(record, "raw"), EnumSet.of(BackupParseFlag.INTERNAL)).disk("vda").driverType())
                .isEqualTo(DiskFormat.RAW);
    }
}
