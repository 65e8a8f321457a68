package io.backpoint.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.testing.SharedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DocumentValidatorTest {
    private static void assertFails(String xml, ErrorCode code, String inMessage) {
        assertThatThrownBy(() -> DocumentValidator.validate(xml))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.getMessage()).contains(inMessage);
                });
    }

    @Test
    void checkpointDocuments() {
        assertThat(DocumentValidator.validate(Fixtures.read("in/many-devices.xml"))).isEqualTo(Schemas.Kind.CHECKPOINT);
        assertThat(DocumentValidator.validate("<domaincheckpoint/>")).isEqualTo(Schemas.Kind.CHECKPOINT);
        assertFails(Fixtures.read("in/name-slash-invalid.xml"), ErrorCode.XML_INVALID_SCHEMA, "domaincheckpoint.rng");
        assertFails(Fixtures.read("in/domain-bad-uuid-invalid.xml"), ErrorCode.XML_INVALID_SCHEMA, "\"uuid\"");
    }

    @Test
    void domainDocuments() {
        assertThat(DocumentValidator.validate(Fixtures.read("domains/mixed-disks.xml"))).isEqualTo(Schemas.Kind.DOMAIN);
        assertFails("<domain type='kvm'><name>x</name><devices><disk><target dev='nvme0'/></disk></devices></domain>",
                ErrorCode.XML_INVALID_SCHEMA, "domain.rng");
        assertFails("<domain><name>x</name></domain>", ErrorCode.XML_INVALID_SCHEMA, "\"type\"");
    }

    @Test
    void unknownRootAndMalformedAreXmlErrors() {
        assertFails("<network><name>default</name></network>", ErrorCode.XML_ERROR, "unknown document type with root element 'network'");
        assertFails("<domaincheckpoint>", ErrorCode.XML_ERROR, "malformed XML");
        assertFails("", ErrorCode.XML_ERROR, "malformed XML");
        assertFails("not xml at all", ErrorCode.XML_ERROR, "malformed XML");
    }

    @Test
    void libvirtCheckpointVectors() throws IOException {
        Optional<Path> dir = SharedFiles.resolve("conformance/libvirt/qemudomaincheckpointxml2xmlout");
        assumeTrue(dir.isPresent(), "../shared is absent: conformance vectors skipped");
        assertThat(DocumentValidator.validate(Files.readString(dir.get().resolve("redefine.xml")))).isEqualTo(Schemas.Kind.CHECKPOINT);
    }

    /**
     * Values libvirt's schema and parser take are read (a luks target), and ranges the schema
     * leaves open, as libvirt's does, are checked by the reader and named (a port).
     */
    @Test
    void backupValuesAsLibvirtReadsThem() {
        assertThat(DocumentValidator.validate("<domainbackup><disks><disk name='vda' type='file'><driver type='luks'/>"
                + "</disk></disks></domainbackup>")).isEqualTo(Schemas.Kind.BACKUP);
        assertFails("<domainbackup mode='pull'><server name='h' port='65536'/></domainbackup>", ErrorCode.XML_ERROR,
                "attribute 'port'");
    }

    /** domainbackup documents go through the schema and the backup codec. */
    @Test
    void backupDocumentsWhenTheSchemaIsThere() throws IOException {
        assumeTrue(Schemas.class.getResource("/io/backpoint/schemas/domainbackup.rng") != null,
                "domainbackup.rng not in this build yet");
        Optional<Path> file = SharedFiles.resolve("conformance/libvirt/domainbackupxml2xmlin/backup-push.xml");
        assumeTrue(file.isPresent(), "../shared is absent");
        assertThat(DocumentValidator.validate(Files.readString(file.get()))).isEqualTo(Schemas.Kind.BACKUP);
        assertFails("<domainbackup><bogus/></domainbackup>", ErrorCode.XML_INVALID_SCHEMA, "domainbackup.rng");
    }
}
