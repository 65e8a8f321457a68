package io.backpoint.image.restore;

import static io.backpoint.testing.Errors.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.error.ErrorCode;
import io.backpoint.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chains that must be refused, each with a typed error naming the file at fault. */
class RestoreChainTest {
    @TempDir
    Path dir;

    @Test
    void refusesIncrementalsOutOfOrder() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, true);
        assertError(() -> RestoreChain.check(List.of(c.full(), c.inc2(), c.inc1())), ErrorCode.OPERATION_INVALID,
                "backup '" + c.inc2() + "' was taken since checkpoint 'c2' but the previous backup '" + c.full()
                        + "' created 'c1': the chain has a gap or is out of order");
    }

    @Test
    void refusesAGap() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.RAW, true);
        assertError(() -> RestoreChain.check(List.of(c.full(), c.inc2())), ErrorCode.OPERATION_INVALID,
                "backup '" + c.inc2() + "' was taken since checkpoint 'c2'", "gap or is out of order");
    }

    @Test
    void refusesAGapAfterAFullBackupThatCreatedNoCheckpoint() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.RAW, true);
        BackupRecord.write(c.full(), BackupRecord.full("vm1", "vda", null, c.disk().size(), ImageFormat.RAW, 1L));
        assertError(() -> RestoreChain.check(List.of(c.full(), c.inc1())), ErrorCode.OPERATION_INVALID,
                "the previous backup '" + c.full() + "' created no checkpoint");
    }

    @Test
    void refusesAnIncrementalGivenAsFull() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, true);
        assertError(() -> RestoreChain.check(List.of(c.inc1(), c.inc2())), ErrorCode.OPERATION_INVALID,
                "backup '" + c.inc1() + "' is an incremental backup (since checkpoint 'c1'): name the full backup first");
    }

    @Test
    void refusesAnIncrementalGivenAsFullWithoutRecords() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, false);
        assertError(() -> RestoreChain.check(List.of(c.inc1(), c.inc2()), true), ErrorCode.OPERATION_INVALID,
                "backup '" + c.inc1() + "' has a backing file ('" + c.disk().live() + "'), so it is not a full backup");
    }

    @Test
    void refusesAFullBackupGivenAsIncremental() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, true);
        Path full2 = c.disk().full("full2.qcow2", ImageFormat.QCOW2);
        BackupRecord.write(full2, BackupRecord.full("vm1", "vda", "c9", c.disk().size(), ImageFormat.QCOW2, 2L));
        assertError(() -> RestoreChain.check(List.of(c.full(), full2)), ErrorCode.OPERATION_INVALID,
                "backup '" + full2 + "' is a full backup; only the first backup of a chain can be full");
    }

    @Test
    void refusesAQcow2WithoutBackingAsIncrementalWithoutRecords() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, false);
        Path full2 = c.disk().full("full2.qcow2", ImageFormat.QCOW2);
        assertError(() -> RestoreChain.check(List.of(c.full(), full2), true), ErrorCode.OPERATION_INVALID,
                "backup '" + full2 + "' has no backing file, so it is not an incremental push backup");
    }

    @Test
    void refusesARawIncremental() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.RAW, false);
        Path raw = c.disk().full("other.raw", ImageFormat.RAW);
        assertError(() -> RestoreChain.check(List.of(c.full(), raw), true), ErrorCode.OPERATION_INVALID,
                "backup '" + raw + "' is a raw image; an incremental backup must be a qcow2 image");
    }

    @Test
    void refusesMismatchedVirtualSizes() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, false);
        Path other = Files.createDirectory(dir.resolve("other"));
        DiskHistory bigger = new DiskHistory(other, "live.qcow2", 2 * DiskHistory.SIZE);
        Path inc = bigger.incremental("inc.qcow2", "write -P 0x12 0 64k");
        assertError(() -> RestoreChain.check(List.of(c.full(), inc), true), ErrorCode.INVALID_ARG,
                "backup '" + inc + "' has virtual size " + 2 * DiskHistory.SIZE + " but the full backup '"
                        + c.full() + "' has " + DiskHistory.SIZE);
    }

    @Test
    void refusesARecordThatDoesNotFitItsImage() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, true);
        BackupRecord.write(c.inc1(), BackupRecord.incremental("vm1", "vda", "c2", "c1", 2 * DiskHistory.SIZE,
                ImageFormat.QCOW2, 2L, null));
        assertError(() -> RestoreChain.check(List.of(c.full(), c.inc1())), ErrorCode.INVALID_ARG,
                "the record of backup '" + c.inc1() + "' gives virtual size");
    }

    @Test
    void refusesAnotherDomainsOrDisksBackup() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, true);
        BackupRecord.write(c.inc1(), BackupRecord.incremental("vm2", "vda", "c2", "c1", DiskHistory.SIZE,
                ImageFormat.QCOW2, 2L, null));
        assertError(() -> RestoreChain.check(List.of(c.full(), c.inc1())), ErrorCode.OPERATION_INVALID,
                "backup '" + c.inc1() + "' is of domain 'vm2' but backup '" + c.full() + "' is of domain 'vm1'");
        BackupRecord.write(c.inc1(), BackupRecord.incremental("vm1", "vdb", "c2", "c1", DiskHistory.SIZE,
                ImageFormat.QCOW2, 2L, null));
        assertError(() -> RestoreChain.check(List.of(c.full(), c.inc1())), ErrorCode.OPERATION_INVALID,
                "is of disk 'vdb' but backup '" + c.full() + "' is of disk 'vda'");
    }

    @Test
    void aRecordInTheWrongFormatIsReportedByQemuImg() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.RAW, true);
        BackupRecord.write(c.full(), BackupRecord.full("vm1", "vda", "c1", DiskHistory.SIZE, ImageFormat.QCOW2, 1L));
        assertError(() -> RestoreChain.check(List.of(c.full())), ErrorCode.INVALID_ARG,
                "cannot read backup '" + c.full() + "': ");
    }

    @Test
    void aDamagedRecordIsNamed() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, true);
        Files.writeString(BackupRecord.pathFor(c.inc1()), "{\"version\": 1, \"domain\": ");
        assertError(() -> RestoreChain.check(List.of(c.full(), c.inc1())), ErrorCode.INVALID_ARG,
                "backup record '" + BackupRecord.pathFor(c.inc1()) + "' is invalid: ");
    }

    @Test
    void refusesMissingFilesDirectoriesAndDuplicates() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.QCOW2, true);
        Path missing = dir.resolve("inc9.qcow2");
        assertError(() -> RestoreChain.check(List.of(c.full(), missing)), ErrorCode.INVALID_ARG,
                "backup '" + missing + "' does not exist");
        assertError(() -> RestoreChain.check(List.of(dir)), ErrorCode.INVALID_ARG,
                "backup '" + dir + "' is not a regular file or a block device");
        Path alias = dir.resolve("alias.qcow2");
        Files.createSymbolicLink(alias, c.inc1());
        assertError(() -> RestoreChain.check(List.of(c.full(), c.inc1(), alias)), ErrorCode.INVALID_ARG,
                "backup '" + alias + "' is given twice (also as '" + c.inc1() + "')");
        assertError(() -> RestoreChain.check(List.of()), ErrorCode.INVALID_ARG, "no backups given");
    }

    @Test
    void refusesFormatsOtherThanRawAndQcow2() throws Exception {
        DiskHistory.assumeTools();
        Path vmdk = dir.resolve("disk.vmdk");
        Tools.run("qemu-img", "create", "-q", "-f", "vmdk", vmdk.toString(), "1M");
        assertError(() -> RestoreChain.check(List.of(vmdk), true), ErrorCode.INVALID_ARG,
                "backup '" + vmdk + "' is a 'vmdk' image; restore reads raw and qcow2 backups");
    }

    @Test
    void acceptsAChainAndDescribesIt() throws Exception {
        StandardChain c = StandardChain.build(dir, ImageFormat.RAW, true);
        RestoreChain chain = RestoreChain.check(List.of(c.full(), c.inc1(), c.inc2()));
        assertThat(chain.size()).isEqualTo(3);
        assertThat(chain.virtualSize()).isEqualTo(DiskHistory.SIZE);
        assertThat(chain.backups()).containsExactly(c.full(), c.inc1(), c.inc2());
        assertThat(chain.members()).extracting(ChainMember::format)
                .containsExactly(ImageFormat.RAW, ImageFormat.QCOW2, ImageFormat.QCOW2);
    }
}
