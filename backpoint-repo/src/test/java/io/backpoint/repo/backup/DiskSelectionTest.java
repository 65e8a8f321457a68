package io.backpoint.repo.backup;

import static io.backpoint.testing.Errors.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.error.ErrorCode;
import io.backpoint.model.DomainDef;
import io.backpoint.xml.DomainXml;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which disks a backup takes, by the format each disk's {@code <driver type>} names. */
class DiskSelectionTest {
    private static final DomainDef DOMAIN = DomainXml.parse("<domain type='kvm'><name>vm</name>"
            + "<memory>65536</memory><os><type>hvm</type></os><devices>"
            + "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/i/a.qcow2'/>"
            + "<target dev='vda' bus='virtio'/></disk>"
            + "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/i/b.raw'/>"
            + "<target dev='vdb' bus='virtio'/></disk>"
            + "<disk type='file' device='disk'><source file='/i/c.img'/><target dev='vdc' bus='virtio'/></disk>"
            + "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/i/d.qcow2'/>"
            + "<target dev='vdd' bus='virtio'/><readonly/></disk>"
            + "</devices></domain>");

    @Test
    void byDefaultEveryWritableQcow2Disk() {
        assertThat(DiskSelection.select(DOMAIN, List.of())).containsExactly("vda");
    }

    @Test
    void aNamedDiskOfAnotherFormatIsRefusedNamingIt() {
        assertError(() -> DiskSelection.select(DOMAIN, List.of("vdb")), ErrorCode.CONFIG_UNSUPPORTED,
                "disk 'vdb' of domain 'vm' cannot be backed up: only writable qcow2 disks are (it is raw)");
        assertError(() -> DiskSelection.select(DOMAIN, List.of("vdc")), ErrorCode.CONFIG_UNSUPPORTED,
                "(it is of unknown format)");
        assertError(() -> DiskSelection.select(DOMAIN, List.of("vdd")), ErrorCode.CONFIG_UNSUPPORTED,
                "(it is read-only)");
        assertThat(DiskSelection.select(DOMAIN, List.of("vda", "vda"))).containsExactly("vda");
    }
}
