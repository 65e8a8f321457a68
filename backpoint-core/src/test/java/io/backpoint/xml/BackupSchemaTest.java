package io.backpoint.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.testing.SharedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** domainbackup.rng against every fixture, ours and libvirt's, and against targeted snippets. */
class BackupSchemaTest {
    /** -invalid inputs that are fine for the schema: they fail later, in the parser or in alignment. */
    private static final Set<String> VALID_BUT_REJECTED_LATER = Set.of(
            "unknown-disk-invalid", "disk-twice-invalid", "incremental-mode-no-checkpoint-invalid",
            "internal-state-missing-invalid");

    record Fixture(Path file, boolean valid) {
        @Override
        public String toString() {
            return file.getParent().getFileName() + "/" + file.getFileName();
        }
    }

    static Stream<Fixture> fixtures() throws IOException {
        List<Fixture> all = new ArrayList<>();
        for (String dir : List.of("in", "out")) {
            try (Stream<Path> files = Files.list(BackupXml2XmlTest.SOURCE_DIR.resolve(dir))) {
                files.filter(f -> !f.getFileName().toString().equals("malformed-invalid.xml")).forEach(f -> {
                    String name = f.getFileName().toString().replaceFirst("\\.xml$", "");
                    boolean jobRecord = name.startsWith("internal-");
                    boolean valid = VALID_BUT_REJECTED_LATER.contains(name)
                            || (!jobRecord && !name.endsWith("-invalid"));
                    all.add(new Fixture(f, valid));
                });
            }
        }
        Optional<Path> shared = SharedFiles.root();
        if (shared.isPresent()) {
            for (String dir : List.of("domainbackupxml2xmlin", "domainbackupxml2xmlout")) {
                try (Stream<Path> files = Files.list(shared.get().resolve("conformance/libvirt").resolve(dir))) {
                    // libvirt's one job-record vector is valid only as status XML
                    files.forEach(f -> all.add(new Fixture(f,
                            !f.getFileName().toString().equals("backup-pull-internal-invalid.xml"))));
                }
            }
        }
        return all.stream();
    }

    private static void validate(String xml) {
        Schemas.validate(XmlInput.parse(xml), Schemas.Kind.BACKUP);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void fixtureValidity(Fixture f) throws IOException {
        String xml = Files.readString(f.file());
        if (f.valid()) {
            assertThatCode(() -> validate(xml)).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> validate(xml)).isInstanceOfSatisfying(BackpointException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.XML_INVALID_SCHEMA));
        }
    }

    @Test
    void conformanceVectorsAreIncludedWhenPresent() throws IOException {
        Assumptions.assumeTrue(SharedFiles.root().isPresent(), "shared/ not found; libvirt vectors skipped");
        assertThat(fixtures().filter(f -> f.file().toString().contains("domainbackupxml2xml"))).hasSize(20);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "<domainbackup/>",
        "<domainbackup mode='push'><disks><disk name='vda' backup='yes'/></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' backup='no' backupmode='full'/></disks></domainbackup>",
        "<domainbackup><disks><disk name='sdb' type='block'><driver type='raw'/></disk></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='/b'>"
                + "<seclabel labelskip='yes'/></target></disk></disks></domainbackup>",
        "<domainbackup mode='pull'><server name='::1' port='65535'/></domainbackup>",
        "<domainbackup mode='pull'><server name='h' tls='yes'/><disks><disk name='vda'/></disks></domainbackup>",
        "<domainbackup mode='pull'><server transport='fd' fdgroup='g'/></domainbackup>",
        "<domainbackup mode='pull'><server transport='unix' socket='/s'/>"
                + "<disks><disk name='vda' backupmode='incremental' incremental='c'/></disks></domainbackup>",
        // found by LibvirtSchemaDifferentialTest: libvirt's schema takes these
        "<domainbackup mode='pull'><server name='h' port='65536'/></domainbackup>",
        "<domainbackup mode='pull'><server name='h' port='4294967295'/></domainbackup>",
        "<domainbackup mode='pull'><server name='fe80::1'/></domainbackup>",
        "<domainbackup mode='pull'><server name='::ffff:192.0.2.1'/></domainbackup>",
        "<domainbackup mode='pull'><server name='256.1.1.1'/></domainbackup>",
        "<domainbackup mode='pull'><server transport='unix' socket='C:\\s'/></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='C:\\b.qcow2'/></disk></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='block'><target dev='//b'/></disk></disks></domainbackup>",
        "<domainbackup><disks><disk name='ioemu:vda' type='file'/></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='block'><driver type='luks'/></disk></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='/b'><seclabel model='dac' relabel='no'/>"
                + "<seclabel model='selinux'><label>a</label><label>b</label></seclabel></target></disk></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='/b'><seclabel relabel='yes'><label>l</label>"
                + "</seclabel></target></disk></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='/b'><encryption format='luks'>"
                + "<secret type='passphrase' uuid='0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d'/></encryption></target></disk></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='/b'><encryption format='luks'>"
                + "<secret type='passphrase' usage='u'/><cipher name='aes' size='256' mode='cbc' hash='sha256'/><ivgen name='plain64'/></encryption></target></disk></disks></domainbackup>",
        "<domainbackup mode='pull'><server name='h'/><disks><disk name='ioemu:sdb'/></disks></domainbackup>",
    })
    void accepts(String xml) {
        assertThatCode(() -> validate(xml)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "<domainbackup mode='default'/>",
        "<domainbackup mode='pull'/>",
        "<domainbackup><disks/></domainbackup>",
        "<domainbackup><disks><disk/></disks></domainbackup>",
        "<domainbackup><disks><disk name='/fake/vda.qcow2'/></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' backup='maybe'/></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' backupmode='differential'/></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='network'/></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='relative'/></disk></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target dev='/dev/x'/></disk></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><driver type='vhdx9'/></disk></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' exportname='e'/></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' state='running'/></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' index='3'/></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='/t'><encryption format='qcow'>"
                + "<secret type='passphrase' usage='u'/></encryption></target></disk></disks></domainbackup>",
        "<domainbackup mode='pull'><server transport='fd'/></domainbackup>",
        "<domainbackup mode='pull'><server transport='rdma' name='h'/></domainbackup>",
        "<domainbackup mode='pull'><server name='h'/><disks><disk name='vda' backup='yes'/></disks></domainbackup>",
        "<domainbackup mode='pull'><server name='h'/><disks><disk name='vda' type='block'/></disks></domainbackup>",
        "<domainbackup mode='pull'><server name='h'/><disks><disk name='vda'><driver type='qcow2'/></disk>"
                + "</disks></domainbackup>",
        "<domainbackup><privateData/></domainbackup>",
        // found by LibvirtSchemaDifferentialTest: stray text beside child elements
        "<domainbackup>x<disks><disk name='vda' type='file'/></disks></domainbackup>",
        "<domainbackup><disks>x<disk name='vda' type='file'/></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'>x<target file='/b'/></disk></disks></domainbackup>",
        "<domainbackup mode='pull'><server name='h' port='+1'/></domainbackup>",
        "<domainbackup mode='pull'><server name='h' port=' 1'/></domainbackup>",
        "<domainbackup mode='pull'><server name='h' port='4294967296'/></domainbackup>",
        "<domainbackup mode='pull'><server name='host_name'/></domainbackup>",
        "<domainbackup mode='pull'><server name='a:b'/></domainbackup>",
        "<domainbackup mode='pull'><server name='[::1]'/></domainbackup>",
        "<domainbackup mode='pull'><server transport='unix' socket='/'/></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='/'/></disk></disks></domainbackup>",
        "<domainbackup mode='pull'><server name='h'/><disks><disk name='vda' type='block'><scratch dev='/'/></disk>"
                + "</disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='/b'><seclabel/></target></disk></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='/b'><seclabel model='selinux'/></target></disk>"
                + "</disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='/b'><seclabel relabel='yes'/></target></disk>"
                + "</disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='/b'><seclabel relabel='no'><label>l</label>"
                + "</seclabel></target></disk></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='/b'><seclabel labelskip='yes' relabel='no'/>"
                + "</target></disk></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='/b'><encryption format='luks'>"
                + "<secret type='passphrase' uuid='0a1b2c3d-4e5f6a7b-8c9d-0e1f2a3b4c5d'/></encryption></target></disk></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='/b'><encryption format='luks'>"
                + "<secret type='passphrase' usage='u'/><cipher name='aes' size='256' mode='cbc'/><ivgen name='plain64'/></encryption></target></disk></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='/b'><encryption format='luks'>"
                + "<secret type='passphrase' usage='u'/><cipher name='aes' size='256' hash='sha256'/><ivgen name='plain64'/></encryption></target></disk></disks></domainbackup>",
        "<domainbackup><disks><disk name='vda' type='file'><target file='/b'><encryption format='luks'>"
                + "<secret type='passphrase' usage='u'/><cipher name='aes' size='+256'/><ivgen name='plain64'/></encryption></target></disk></disks></domainbackup>",
    })
    void rejects(String xml) {
        assertThatThrownBy(() -> validate(xml)).isInstanceOfSatisfying(BackpointException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.XML_INVALID_SCHEMA));
    }
}
