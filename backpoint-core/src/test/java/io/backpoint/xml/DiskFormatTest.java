package io.backpoint.xml;

import static io.backpoint.testing.Errors.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.error.ErrorCode;
import io.backpoint.model.DiskFormat;
import io.backpoint.model.XmlNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

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
        Set<DiskFormat> seen = EnumSet.noneOf(DiskFormat.class);
        for (String v : values) {
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
