package io.backpoint.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.model.DomainDef;
import io.backpoint.xml.DomainXml;
import org.junit.jupiter.api.Test;

/** A bitmap disk libvirt gives no size is the problem; a disk that is not in the domain any more is not. */
class LibvirtBitmapCheckTest {
    private static final DomainDef DOMAIN = DomainXml.parse("""
            <domain type='qemu'><name>vm</name><memory>65536</memory><os><type>hvm</type></os><devices>
            <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/a.qcow2'/><target dev='vda' bus='virtio'/></disk>
            <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/b.qcow2'/><target dev='vdb' bus='virtio'/></disk>
            </devices></domain>""");

    private static String checkpoint(String disks) {
        return "<domaincheckpoint>\n  <name>c1</name>\n  <creationTime>1</creationTime>\n  <disks>\n" + disks
                + "  </disks>\n</domaincheckpoint>\n";
    }

    @Test
    void everyBitmapSizedIsUsable() {
        assertThat(LibvirtBitmapCheck.problems(checkpoint("""
                <disk name='vda' checkpoint='bitmap' bitmap='c1' size='1048576'/>
                <disk name='vdb' checkpoint='bitmap' bitmap='c1' size='0'/>
                <disk name='vdc' checkpoint='bitmap' bitmap='c1'/>
                <disk name='hda' checkpoint='no'/>
                """), DOMAIN)).isEmpty();
    }

    @Test
    void aBitmapWithoutSizeNamesTheDiskAndTheWayOut() {
        var problems = LibvirtBitmapCheck.problems(checkpoint("""
                <disk name='vda' checkpoint='bitmap' bitmap='c1' size='1048576'/>
                <disk name='vdb' checkpoint='bitmap' bitmap='c1'/>
                """), DOMAIN);
        assertThat(problems).containsOnlyKeys("vdb");
        assertThat(problems.get("vdb")).startsWith("missing or broken bitmap 'c1' for disk 'vdb' (").contains("inconsistent")
                .contains("take a full backup").doesNotContain("vda");
    }

    /** Every broken disk is named, each with its own bitmap (a redefined checkpoint may name them differently). */
    @Test
    void everyDiskWithoutSizeIsNamedWithItsOwnBitmap() {
        var problems = LibvirtBitmapCheck.problems(checkpoint("""
                <disk name='vda' checkpoint='bitmap' bitmap='old-a'/>
                <disk name='vdb' checkpoint='bitmap' bitmap='old-b'/>
                <disk name='vdc' checkpoint='bitmap' bitmap='c1'/>
                """), DOMAIN);
        assertThat(problems.keySet()).containsExactly("vda", "vdb");
        assertThat(problems.get("vda")).startsWith("missing or broken bitmap 'old-a' for disk 'vda' (").doesNotContain("vdb");
        assertThat(problems.get("vdb")).startsWith("missing or broken bitmap 'old-b' for disk 'vdb' (").doesNotContain("vda");
    }
}
