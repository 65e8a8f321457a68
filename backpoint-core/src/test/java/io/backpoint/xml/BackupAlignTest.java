package io.backpoint.xml;

import static io.backpoint.xml.BackupFakeDomain.SUFFIX;
import static io.backpoint.xml.BackupFakeDomain.fileDisk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.backpoint.backup.BackupAlign;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.BackupDef;
import io.backpoint.model.BackupDiskDef;
import io.backpoint.model.BackupDiskMode;
import io.backpoint.model.BackupMode;
import io.backpoint.model.BackupStore;
import io.backpoint.model.DiskFormat;
import io.backpoint.model.DomainDef;
import io.backpoint.model.DomainDiskDef;
import io.backpoint.model.StoreType;
import io.backpoint.model.XmlNode;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Every rule and error of {@link BackupAlign} (libvirt's virDomainBackupAlignDisks). */
class BackupAlignTest {
    private static final DomainDiskDef EMPTY_CDROM =
            new DomainDiskDef("file", "cdrom", DiskFormat.RAW, null, "hdc", "ide", true, false);
    private static final DomainDiskDef READONLY =
            new DomainDiskDef("file", "disk", DiskFormat.RAW, "/images/base.img", "vdr", "virtio", true, false);
    private static final DomainDiskDef BLOCK =
            new DomainDiskDef("block", "disk", DiskFormat.RAW, "/dev/sdb", "vdb", "virtio", false, false);
    private static final DomainDiskDef NETWORK =
            new DomainDiskDef("network", "disk", DiskFormat.RAW, "pool/image", "vdn", "virtio", false, false);

    private static BackupDef push(String incremental, BackupDiskDef... disks) {
        return new BackupDef(BackupMode.PUSH, incremental, null, List.of(disks), null);
    }

    private static BackupDiskDef selected(String name) {
        return BackupDiskDef.included(name, StoreType.FILE, null);
    }

    private static DomainDef domain(DomainDiskDef... disks) {
        return BackupFakeDomain.of(List.of(disks));
    }

    private static void assertFails(ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(BackpointException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_UNSUPPORTED);
            assertThat(e.detail()).isEqualTo(message);
        });
    }

    @Test
    void domainWithoutDisksIsRefused() {
        assertFails(() -> BackupAlign.align(push(null), domain(), SUFFIX),
                "domain must have at least one disk to perform backup");
    }

    @Test
    void unknownDiskIsRefused() {
        assertFails(() -> BackupAlign.align(push(null, selected("vdz")), domain(fileDisk("vda")), SUFFIX),
                "no disk named 'vdz'");
    }

    @Test
    void disksAreMatchedByTargetOnlyNotBySourcePath() {
        assertFails(() -> BackupAlign.align(push(null, selected("/fake/vda.qcow2")), domain(fileDisk("vda")), SUFFIX),
                "no disk named '/fake/vda.qcow2'");
    }

    @Test
    void diskListedTwiceIsRefusedEvenWhenOneIsExcluded() {
        assertFails(() -> BackupAlign.align(push(null, selected("vda"), BackupDiskDef.excluded("vda")),
                domain(fileDisk("vda")), SUFFIX), "disk 'vda' specified twice");
    }

    @Test
    void incrementalModeNeedsACheckpoint() {
        BackupDiskDef disk = selected("vda").withBackupMode(BackupDiskMode.INCREMENTAL);
        assertFails(() -> BackupAlign.align(push(null, disk), domain(fileDisk("vda")), SUFFIX),
                "'incremental' backup mode of disk 'vda' requires setting 'incremental' field for disk or backup");

        BackupDef fromTop = BackupAlign.align(push("chk", disk), domain(fileDisk("vda")), SUFFIX);
        assertThat(fromTop.disk("vda").incremental()).isEqualTo("chk");
        BackupDef own = BackupAlign.align(push(null, disk.withIncremental("mine")), domain(fileDisk("vda")), SUFFIX);
        assertThat(own.disk("vda").incremental()).isEqualTo("mine");
    }

    @Test
    void selectedDiskWithoutMediaIsRefused() {
        assertFails(() -> BackupAlign.align(push(null, selected("hdc")), domain(fileDisk("vda"), EMPTY_CDROM), SUFFIX),
                "disk 'hdc' has no media");
        BackupDiskDef withPath = selected("hdc").withStore(BackupStore.of("/backups/hdc"));
        assertFails(() -> BackupAlign.align(push(null, withPath), domain(EMPTY_CDROM), SUFFIX),
                "disk 'hdc' has no media");
    }

    @Test
    void excludedDiskIsNotCheckedForMedia() {
        BackupDef aligned = BackupAlign.align(push(null, BackupDiskDef.excluded("hdc")),
                domain(fileDisk("vda"), EMPTY_CDROM), SUFFIX);
        assertThat(aligned.disks()).extracting(BackupDiskDef::name, BackupDiskDef::backup)
                .containsExactly(tuple("hdc", false),
                        tuple("vda", false));
    }

    @Test
    void generatesFileNameFromSourceAndSuffix() {
        BackupDef aligned = BackupAlign.align(push(null, selected("vda")), domain(fileDisk("vda")), "1700000000");
        BackupDiskDef vda = aligned.disk("vda");
        assertThat(vda.type()).isEqualTo(StoreType.FILE);
        assertThat(vda.store().path()).isEqualTo("/fake/vda.qcow2.1700000000");
    }

    @Test
    void refusesToGenerateNameForNonFileSource() {
        assertFails(() -> BackupAlign.align(push(null, selected("vdb")), domain(BLOCK), SUFFIX),
                "refusing to generate file name for disk 'vdb'");
        assertFails(() -> BackupAlign.align(push(null, selected("vdn")), domain(NETWORK), SUFFIX),
                "refusing to generate file name for disk 'vdn'");
    }

    @Test
    void explicitStoreIsKeptForAnySource() {
        BackupDiskDef disk = BackupDiskDef.included("vdb", StoreType.BLOCK, BackupStore.of("/dev/backup"));
        BackupDiskDef aligned = BackupAlign.align(push(null, disk), domain(BLOCK), SUFFIX).disk("vdb");
        assertThat(aligned.type()).isEqualTo(StoreType.BLOCK);
        assertThat(aligned.store().path()).isEqualTo("/dev/backup");
    }

    @Test
    void storeWithoutPathGetsGeneratedFileAndKeepsItsChildren() {
        XmlNode seclabel = XmlInput.parse("<seclabel model='dac' relabel='no'/>");
        BackupDiskDef disk = BackupDiskDef.included("vda", StoreType.BLOCK,
                new BackupStore(null, List.of(seclabel), null, null));
        BackupDiskDef aligned = BackupAlign.align(push(null, disk), domain(fileDisk("vda")), SUFFIX).disk("vda");
        assertThat(aligned.type()).isEqualTo(StoreType.FILE);
        assertThat(aligned.store().path()).isEqualTo("/fake/vda.qcow2.SUFFIX");
        assertThat(aligned.store().seclabels()).containsExactly(seclabel);
    }

    @Test
    void listedDisksComeFirstThenTheRestOfTheDomainExcluded() {
        BackupDef aligned = BackupAlign.align(push(null, selected("vdc"), selected("vda")),
                domain(fileDisk("vda"), fileDisk("vdb"), fileDisk("vdc"), fileDisk("vdd")), SUFFIX);
        assertThat(aligned.disks()).extracting(BackupDiskDef::name)
                .containsExactly("vdc", "vda", "vdb", "vdd");
        assertThat(aligned.disks()).extracting(BackupDiskDef::backup).containsExactly(true, true, false, false);
    }

    @Test
    void emptyListBacksUpEveryWritableDiskWithMedia() {
        BackupDef aligned = BackupAlign.align(push(null),
                domain(fileDisk("vda"), EMPTY_CDROM, READONLY, fileDisk("vdc")), SUFFIX);
        assertThat(aligned.disks()).extracting(BackupDiskDef::name).containsExactly("vda", "hdc", "vdr", "vdc");
        assertThat(aligned.disks()).extracting(BackupDiskDef::backup).containsExactly(true, false, false, true);
        assertThat(aligned.disk("vdc").store().path()).isEqualTo("/fake/vdc.qcow2.SUFFIX");
        assertThat(aligned.disk("hdc").store()).isNull();
    }

    @Test
    void backupAllStillNeedsFileSources() {
        assertFails(() -> BackupAlign.align(push(null), domain(fileDisk("vda"), NETWORK), SUFFIX),
                "refusing to generate file name for disk 'vdn'");
    }

    @Test
    void defaultModeBecomesFullWithoutAnyCheckpoint() {
        BackupDiskDef vda = BackupAlign.align(push(null, selected("vda")), domain(fileDisk("vda")), SUFFIX).disk("vda");
        assertThat(vda.backupmode()).isEqualTo(BackupDiskMode.FULL);
        assertThat(vda.incremental()).isNull();
    }

    @Test
    void defaultModeBecomesIncrementalFromTopLevelCheckpoint() {
        BackupDef aligned = BackupAlign.align(push("chk-1", selected("vda")), domain(fileDisk("vda"), fileDisk("vdb")),
                SUFFIX);
        assertThat(aligned.disk("vda").backupmode()).isEqualTo(BackupDiskMode.INCREMENTAL);
        assertThat(aligned.disk("vda").incremental()).isEqualTo("chk-1");
        // appended disks are resolved too, though the output never shows it for backup='no'
        assertThat(aligned.disk("vdb").backupmode()).isEqualTo(BackupDiskMode.INCREMENTAL);
    }

    @Test
    void perDiskCheckpointMakesIncrementalAndWinsOverTopLevel() {
        BackupDiskDef vda = BackupAlign.align(push("chk-1", selected("vda").withIncremental("chk-0")),
                domain(fileDisk("vda")), SUFFIX).disk("vda");
        assertThat(vda.backupmode()).isEqualTo(BackupDiskMode.INCREMENTAL);
        assertThat(vda.incremental()).isEqualTo("chk-0");

        BackupDiskDef noTop = BackupAlign.align(push(null, selected("vda").withIncremental("chk-0")),
                domain(fileDisk("vda")), SUFFIX).disk("vda");
        assertThat(noTop.backupmode()).isEqualTo(BackupDiskMode.INCREMENTAL);
    }

    @Test
    void fullDiskDoesNotInheritTopLevelCheckpoint() {
        BackupDiskDef vda = BackupAlign.align(push("chk-1", selected("vda").withBackupMode(BackupDiskMode.FULL)),
                domain(fileDisk("vda")), SUFFIX).disk("vda");
        assertThat(vda.backupmode()).isEqualTo(BackupDiskMode.FULL);
        assertThat(vda.incremental()).isNull();
    }

    @Test
    void nullArgumentsAreATypedError() {
        assertThatThrownBy(() -> BackupAlign.align(push(null), domain(fileDisk("vda")), null))
                .isInstanceOfSatisfying(BackpointException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARG));
    }
}
