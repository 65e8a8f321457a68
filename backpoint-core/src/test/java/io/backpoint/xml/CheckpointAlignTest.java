package io.backpoint.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.checkpoint.CheckpointAlign;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.CheckpointDef;
import io.backpoint.model.CheckpointDiskDef;
import io.backpoint.model.CheckpointType;
import io.backpoint.model.DomainDef;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** libvirt's virDomainCheckpointAlignDisks rules (reference §4.1): every error in its order, and the result. */
class CheckpointAlignTest {
    /** vda, vdb: writable qcow2 files; vdc: raw block; sda: empty cdrom; vdd: read-only file. */
    private static final DomainDef MIXED = DomainXml.parse(Fixtures.read("domains/mixed-disks.xml"));

    private static CheckpointDiskDef disk(String name, CheckpointType type, String bitmap) {
        return new CheckpointDiskDef(name, type, bitmap, null);
    }

    private static CheckpointDef def(DomainDef domain, CheckpointDiskDef... disks) {
        return new CheckpointDef("cp", null, null, 100, Arrays.asList(disks), domain);
    }

    private static void assertFails(CheckpointDef def, ErrorCode code, String detail) {
        assertThatThrownBy(() -> CheckpointAlign.align(def))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.detail()).isEqualTo(detail);
                });
    }

    private static DomainDef domain(String devices) {
        return DomainXml.parse("<domain type='kvm'><name>d</name><devices>" + devices + "</devices></domain>");
    }

    @Test
    void missingDomain() {
        assertFails(def(null), ErrorCode.INTERNAL_ERROR, "missing domain in checkpoint");
    }

    @Test
    void tooManyRequestsIsCheckedBeforeADisklessDomain() {
        assertFails(def(domain(""), disk("vda", CheckpointType.BITMAP, null)),
                ErrorCode.CONFIG_UNSUPPORTED, "too many disk checkpoint requests for domain");
        DomainDef one = domain("<disk type='file'><source file='/a'/><target dev='vda'/></disk>");
        assertFails(def(one, disk("vda", CheckpointType.BITMAP, null), disk("vdb", CheckpointType.BITMAP, null)),
                ErrorCode.CONFIG_UNSUPPORTED, "too many disk checkpoint requests for domain");
    }

    @Test
    void domainWithoutDisks() {
        assertFails(def(domain("<interface type='network'><source network='default'/></interface>")),
                ErrorCode.CONFIG_UNSUPPORTED, "domain must have at least one disk to perform checkpoints");
    }

    @Test
    void unknownDisk() {
        assertFails(def(MIXED, disk("vdz", CheckpointType.BITMAP, null)), ErrorCode.CONFIG_UNSUPPORTED, "no disk named 'vdz'");
        assertFails(def(MIXED, disk("/var/lib/images/nope.qcow2", CheckpointType.NO, null)),
                ErrorCode.CONFIG_UNSUPPORTED, "no disk named '/var/lib/images/nope.qcow2'");
    }

    @Test
    void diskListedTwiceEvenUnderAnotherName() {
        assertFails(def(MIXED, disk("vda", CheckpointType.BITMAP, null), disk("vda", CheckpointType.NO, null)),
                ErrorCode.CONFIG_UNSUPPORTED, "disk 'vda' specified twice");
        assertFails(def(MIXED, disk("vdb", CheckpointType.BITMAP, null), disk("/var/lib/images/data.qcow2", CheckpointType.NO, null)),
                ErrorCode.CONFIG_UNSUPPORTED, "disk '/var/lib/images/data.qcow2' specified twice");
    }

    @Test
    void bitmapOnEmptyOrReadonlyDisk() {
        assertFails(def(MIXED, disk("sda", CheckpointType.BITMAP, null)), ErrorCode.CONFIG_UNSUPPORTED, "disk 'sda' is empty or readonly");
        assertFails(def(MIXED, disk("/var/lib/images/golden.qcow2", CheckpointType.BITMAP, null)),
                ErrorCode.CONFIG_UNSUPPORTED, "disk '/var/lib/images/golden.qcow2' is empty or readonly");
        // DEFAULT (made in code) means bitmap, as an omitted attribute does.
        assertFails(def(MIXED, disk("vdd", CheckpointType.DEFAULT, null)), ErrorCode.CONFIG_UNSUPPORTED, "disk 'vdd' is empty or readonly");
        // A CD-ROM is read-only even without <readonly/>, as libvirt forces it.
        DomainDef cdrom = domain("<disk type='file' device='cdrom'><source file='/iso/x.iso'/><target dev='sdb'/></disk>");
        assertFails(def(cdrom, disk("sdb", CheckpointType.BITMAP, null)), ErrorCode.CONFIG_UNSUPPORTED, "disk 'sdb' is empty or readonly");
    }

    @Test
    void errorsComeInLibvirtsOrder() {
        // The unknown disk comes first in the list, so it is reported even though a later entry repeats one.
        assertFails(def(MIXED, disk("vdz", CheckpointType.BITMAP, null), disk("vda", CheckpointType.BITMAP, null),
                disk("vda", CheckpointType.BITMAP, null)), ErrorCode.CONFIG_UNSUPPORTED, "no disk named 'vdz'");
        // The repeat is detected before the read-only check of the repeated entry.
        assertFails(def(MIXED, disk("vdd", CheckpointType.NO, null), disk("vdd", CheckpointType.BITMAP, null)),
                ErrorCode.CONFIG_UNSUPPORTED, "disk 'vdd' specified twice");
    }

    @Test
    void omittedDisksElementMeansEveryWritableDisk() {
        CheckpointDef aligned = CheckpointAlign.align(def(MIXED));
        assertThat(aligned.disks()).containsExactly(
                disk("vda", CheckpointType.BITMAP, "cp"),
                disk("vdb", CheckpointType.BITMAP, "cp"),
                disk("vdc", CheckpointType.BITMAP, "cp"),
                disk("sda", CheckpointType.NO, null),
                disk("vdd", CheckpointType.NO, null));
    }

    @Test
    void listedDisksOnlyInDomainOrderWithPathsResolved() {
        CheckpointDef aligned = CheckpointAlign.align(def(MIXED,
                disk("vdd", CheckpointType.NO, null),
                disk("/var/lib/images/data.qcow2", CheckpointType.BITMAP, "custom"),
                new CheckpointDiskDef("sda", CheckpointType.NO, null, 7L)));
        assertThat(aligned.disks()).containsExactly(
                disk("vda", CheckpointType.NO, null),
                disk("vdb", CheckpointType.BITMAP, "custom"),
                disk("vdc", CheckpointType.NO, null),
                new CheckpointDiskDef("sda", CheckpointType.NO, null, 7L),
                disk("vdd", CheckpointType.NO, null));
        assertThat(aligned.name()).isEqualTo("cp");
        assertThat(aligned.domain()).isSameAs(MIXED);
    }

    @Test
    void sourcePathOfABlockDeviceResolves() {
        CheckpointDef aligned = CheckpointAlign.align(def(MIXED, disk("/dev/vg0/logs", CheckpointType.BITMAP, null)));
        assertThat(aligned.disks().get(2)).isEqualTo(disk("vdc", CheckpointType.BITMAP, "cp"));
        assertThat(aligned.disks().get(0)).isEqualTo(disk("vda", CheckpointType.NO, null));
    }

    @Test
    void networkDisksAreNeverEmpty() {
        DomainDef net = domain("<disk type='network'><source protocol='nbd'><host name='h'/></source><target dev='vda'/></disk>");
        assertThat(CheckpointAlign.align(def(net)).disks()).containsExactly(disk("vda", CheckpointType.BITMAP, "cp"));
    }

    @Test
    void assignDefaultBitmapsTouchesOnlyBitmapNames() {
        CheckpointDef in = def(MIXED,
                disk("/var/lib/images/data.qcow2", CheckpointType.BITMAP, null),
                disk("vda", CheckpointType.NO, null),
                disk("vdc", CheckpointType.BITMAP, "mine"));
        CheckpointDef out = CheckpointAlign.assignDefaultBitmaps(in);
        assertThat(out.disks()).containsExactly(
                disk("/var/lib/images/data.qcow2", CheckpointType.BITMAP, "cp"),
                disk("vda", CheckpointType.NO, null),
                disk("vdc", CheckpointType.BITMAP, "mine"));
        assertThat(CheckpointAlign.assignDefaultBitmaps(def(null))).isEqualTo(def(null));
    }

    @Test
    void alignmentIsIdempotent() {
        CheckpointDef once = CheckpointAlign.align(def(MIXED, disk("vdb", CheckpointType.BITMAP, null)));
        assertThat(CheckpointAlign.align(once)).isEqualTo(once);
        assertThat(once.disks()).extracting(CheckpointDiskDef::name).isEqualTo(List.of("vda", "vdb", "vdc", "sda", "vdd"));
    }
}
