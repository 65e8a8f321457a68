package io.backpoint.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.DiskFormat;
import io.backpoint.model.DomainDef;
import io.backpoint.model.DomainDiskDef;
import io.backpoint.testing.SharedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DomainXmlTest {
    private static final Set<DomainXml.FormatFlag> NONE = EnumSet.noneOf(DomainXml.FormatFlag.class);
    private static final Set<DomainXml.FormatFlag> SECURE = EnumSet.of(DomainXml.FormatFlag.SECURE);

    private static String shared(String relative) throws IOException {
        Optional<Path> p = SharedFiles.resolve(relative);
        assumeTrue(p.isPresent(), "../shared is absent: " + relative + " skipped");
        return Files.readString(p.get());
    }

    @Test
    void testDefaultDomainRoundTripsLive() throws IOException {
        String file = shared("conformance/virsh/test-default-domain.xml");
        DomainDef def = DomainXml.parse(file);
        // virsh added one newline after the document
        assertThat(DomainXml.format(def, SECURE)).isEqualTo(file.substring(0, file.length() - 1));
    }

    @Test
    void testDefaultDomainInactiveMatchesWhatVirshEmbeds() throws IOException {
        DomainDef def = DomainXml.parse(shared("conformance/virsh/test-default-domain.xml"));
        // The <domain> that checkpoint-dumpxml printed inside the first checkpoint, one level less indented.
        String stdout = shared("conformance/virsh/dumpxml.stdout");
        String embedded = stdout.substring(stdout.indexOf("  <domain "), stdout.indexOf("  </domain>\n") + "  </domain>\n".length());
        String expected = embedded.lines().map(l -> l.substring(2)).collect(Collectors.joining("\n", "", "\n"));
        assertThat(DomainXml.format(def, EnumSet.of(DomainXml.FormatFlag.INACTIVE, DomainXml.FormatFlag.SECURE))).isEqualTo(expected);
        assertThat(DomainXml.format(def, EnumSet.of(DomainXml.FormatFlag.INACTIVE))).isEqualTo(expected);
    }

    @Test
    void testDefaultDomainSlice() throws IOException {
        DomainDef def = DomainXml.parse(shared("conformance/virsh/test-default-domain.xml"));
        assertThat(def.type()).isEqualTo("test");
        assertThat(def.name()).isEqualTo("test");
        assertThat(def.uuid()).isEqualTo("6695eb01-f6a4-8304-79aa-97f2502e193f");
        assertThat(def.disks()).containsExactly(
                new DomainDiskDef("file", "disk", null, "/guest/diskimage1", "vda", "virtio", false, false));
    }

    @Test
    void sliceOfEveryDiskKind() {
        DomainDef def = DomainXml.parse("""
                <domain type='kvm'>
                  <name>slice</name>
                  <uuid>0F8FAD5BD9CB469FA16570867728950E</uuid>
                  <devices>
                    <disk type='file' device='disk'>
                      <driver name='qemu' type='qcow2'/>
                      <source file='/img/a.qcow2'/>
                      <target dev='vda' bus='virtio'/>
                    </disk>
                    <disk type='block' device='lun'>
                      <driver name='qemu' type='raw'/>
                      <source dev='/dev/sdz'/>
                      <target dev='sda' bus='scsi'/>
                      <shareable/>
                    </disk>
                    <disk type='file' device='cdrom'>
                      <target dev='hdc' bus='ide'/>
                    </disk>
                    <disk type='network' device='disk'>
                      <driver name='qemu' type='raw'/>
                      <source protocol='rbd' name='pool/image'>
                        <host name='mon1' port='6789'/>
                      </source>
                      <target dev='vdb'/>
                      <readonly/>
                    </disk>
                    <disk device='floppy'>
                      <source file='/img/floppy.img'/>
                      <target dev='ioemu:fda'/>
                    </disk>
                  </devices>
                </domain>
                """);
        assertThat(def.uuid()).isEqualTo("0f8fad5b-d9cb-469f-a165-70867728950e");
        assertThat(def.disks()).containsExactly(
                new DomainDiskDef("file", "disk", DiskFormat.QCOW2, "/img/a.qcow2", "vda", "virtio", false, false),
                new DomainDiskDef("block", "lun", DiskFormat.RAW, "/dev/sdz", "sda", "scsi", false, true),
                new DomainDiskDef("file", "cdrom", null, null, "hdc", "ide", true, false),
                new DomainDiskDef("network", "disk", DiskFormat.RAW, "pool/image", "vdb", null, true, false),
                new DomainDiskDef("file", "floppy", null, "/img/floppy.img", "fda", null, false, false));
        assertThat(def.disks().get(2).empty()).isTrue();
        assertThat(def.disks().get(3).empty()).isFalse();
        assertThat(def.diskByName("/img/a.qcow2")).isSameAs(def.disks().get(0));
        assertThat(def.diskByName("fda")).isSameAs(def.disks().get(4));
        assertThat(def.diskByTarget("vdz")).isNull();
        // The kept element carries the canonical uuid and the defaulted disk attributes, in libvirt's order.
        String out = DomainXml.format(def, SECURE);
        assertThat(out).contains("<uuid>0f8fad5b-d9cb-469f-a165-70867728950e</uuid>")
                .contains("<disk type='file' device='floppy'>");
    }

    @Test
    void unknownElementsAndAttributesAreKeptInOrder() {
        String xml = """
                <domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0' id='3'>
                  <name>keep</name>
                  <zzz b='2' a='1'>text &amp; more</zzz>
                  <devices>
                    <hub type='usb'/>
                    <disk type='file' device='disk' snapshot='no'>
                      <source file='/x' startupPolicy='optional'/>
                      <target dev='vda' bus='virtio' removable='off'/>
                      <future-element>kept</future-element>
                    </disk>
                    <graphics type='vnc' passwd='pw' keymap='de'/>
                  </devices>
                  <qemu:commandline>
                    <qemu:arg value='-S'/>
                  </qemu:commandline>
                </domain>
                """;
        DomainDef def = DomainXml.parse(xml);
        assertThat(DomainXml.format(def, SECURE)).isEqualTo(xml);
        assertThat(DomainXml.format(def, NONE)).isEqualTo(xml.replace(" passwd='pw'", ""));
        assertThat(DomainXml.format(def, EnumSet.allOf(DomainXml.FormatFlag.class))).isEqualTo(xml.replace(" id='3'", ""));
    }

    @Test
    void formatAtAnIndent() {
        DomainDef def = DomainXml.parse("<domain type='kvm'><name>n</name></domain>");
        XmlWriter w = new XmlWriter(4);
        DomainXml.format(def, NONE, w);
        assertThat(w.toString()).isEqualTo("    <domain type='kvm'>\n      <name>n</name>\n    </domain>\n");
    }

    @Test
    void invalidDomains() {
        assertThatThrownBy(() -> DomainXml.parse("<domain type='kvm'><uuid>0f8fad5b-d9cb-469f-a165-70867728950e</uuid></domain>"))
                .isInstanceOfSatisfying(BackpointException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.XML_INVALID_SCHEMA));
        assertThatThrownBy(() -> DomainXml.parse("<domain type='kvm'><name>a</name><devices><disk type='file'>"
                + "<target dev='vda' bus='pcie'/></disk></devices></domain>"))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.XML_INVALID_SCHEMA);
                    assertThat(e.getMessage()).contains("\"bus\"");
                });
        assertThatThrownBy(() -> DomainXml.parse("<domaincheckpoint/>"))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.XML_ERROR);
                    assertThat(e.detail()).isEqualTo("expecting root element of 'domain', not 'domaincheckpoint'");
                });
        assertThatThrownBy(() -> DomainXml.parse("<domain type='kvm'><name>a</name>"))
                .isInstanceOfSatisfying(BackpointException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.XML_ERROR));
    }
}
