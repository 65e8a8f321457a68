package io.backpoint.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.image.restore.BackupRecord;
import io.backpoint.model.BackupDef;
import io.backpoint.model.DomainDef;
import io.backpoint.xml.BackupParseFlag;
import io.backpoint.xml.BackupXml;
import io.backpoint.xml.DomainXml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The records Backpoint writes beside the push targets of a backup libvirt runs (no libvirtd needed). */
class LibvirtRecordsTest {
    @TempDir
    Path dir;

    private BackupDef push(String incremental) {
        return BackupXml.parse("<domainbackup mode='push'>" + (incremental == null ? "" : "<incremental>" + incremental + "</incremental>")
                + "<disks><disk name='vda' type='file'><driver type='qcow2'/><target file='" + dir.resolve("vda.bak") + "'/></disk>"
                + "<disk name='vdb' type='block'><driver type='raw'/><target dev='" + dir.resolve("sdz") + "'/></disk>"
                + "</disks></domainbackup>", EnumSet.noneOf(BackupParseFlag.class));
    }

    private DomainDef live() {
        return DomainXml.parse("<domain type='qemu'><name>vm1</name><devices>"
                + "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/images/vda.qcow2'/><target dev='vda' bus='virtio'/></disk>"
                + "<disk type='block' device='disk'><driver name='qemu' type='raw'/><source dev='/dev/sdy'/><target dev='vdb' bus='virtio'/></disk>"
                + "</devices></domain>");
    }

    @Test
    void anIncrementalFileTargetGetsARecordNamingTheLiveDiskAndABlockTargetNone() {
        LibvirtRecords.write("vm1", push("c1"), "c2", 1_700_000_000_000L, live(), disk -> 1 << 20, false);
        BackupRecord r = BackupRecord.read(dir.resolve("vda.bak")).orElseThrow();
        assertThat(r).isEqualTo(BackupRecord.incremental("vm1", "vda", "c2", "c1", 1 << 20,
                io.backpoint.image.restore.ImageFormat.QCOW2, 1_700_000_000L, "/images/vda.qcow2"));
        assertThat(dir.resolve("sdz.json")).doesNotExist();
    }

    @Test
    void aReusedTargetWithAForeignFileWhereItsRecordGoesIsRefusedAndTheFileKept() throws Exception {
        Files.writeString(dir.resolve("vda.bak"), "earlier backup");
        Path foreign = Files.writeString(dir.resolve("vda.bak.json"), "precious");
        assertThatThrownBy(() -> LibvirtRecords.checkFree(push(null), true)).isInstanceOfSatisfying(
                BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARG);
                    assertThat(e.getMessage()).contains(foreign.toString(), "is not a backup record");
                });
        assertThat(Files.readString(foreign)).isEqualTo("precious");
    }

    @Test
    void aTakenRecordNameIsRefusedUnlessTheTargetItselfExistsWhichLibvirtRefuses() throws Exception {
        Files.writeString(dir.resolve("vda.bak.json"), "precious");
        assertThatThrownBy(() -> LibvirtRecords.checkFree(push(null), false)).isInstanceOfSatisfying(
                BackpointException.class, e -> assertThat(e.getMessage()).contains("vda.bak.json", "exists"));
        Files.writeString(dir.resolve("vda.bak"), "earlier backup");
        // libvirt refuses an existing target with its own message, as virsh shows it.
        LibvirtRecords.checkFree(push(null), false);
    }
}
