package io.backpoint.qemu.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.image.restore.BackupRecord;
import io.backpoint.xml.BackupParseFlag;
import io.backpoint.xml.BackupXml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restore records written beside the targets of a completed push backup. */
class TargetRecordsTest {
    @TempDir
    Path dir;

    private BackupJob completedJob(boolean reuse) throws java.io.IOException {
        String xml = "<domainbackup mode='push'><disks>"
                + "<disk name='vda' state='complete' type='file' backupmode='full' index='1'><driver type='qcow2'/>"
                + "<target file='" + dir.resolve("vda.full") + "'/></disk>"
                + "<disk name='vdb' state='complete' type='block' backupmode='full' index='2'><driver type='raw'/>"
                + "<target dev='" + dir.resolve("sdz") + "'/></disk>"
                + "</disks></domainbackup>";
        // What QEMU wrote; the record gives its size and SHA-256.
        Files.writeString(dir.resolve("vda.full"), "backup data");
        BackupJob job = new BackupJob("j1", BackupXml.parse(xml, EnumSet.of(BackupParseFlag.INTERNAL)),
                BackupJob.Phase.RUNNING, 1_700_000_000_000L, reuse, "c1");
        job.sources.put("vda", new DiskSource("vda", "/images/vda.qcow2", "qcow2", 1 << 20));
        job.sources.put("vdb", new DiskSource("vdb", "/images/vdb.raw", "raw", 1 << 20));
        return job;
    }

    @Test
    void aBlockTargetGetsNoRecordBesideIt() throws Exception {
        BackupJob job = completedJob(false);
        TargetRecords.write("vm1", job);
        // A device node's "sibling" would be a file in /dev: nothing is written there.
        assertThat(Files.exists(dir.resolve("sdz.json"))).isFalse();
        BackupRecord record = BackupRecord.read(dir.resolve("vda.full")).orElseThrow();
        assertThat(record.checkpoint()).isEqualTo("c1");
        // CRC-32C of "backup data"
        assertThat(record.content()).isEqualTo(new io.backpoint.image.restore.FileContent(11, "ad359491"));
        assertThat(job.error).isNull();
    }

    @Test
    void aSecondFinishOfTheSameJobKeepsItsRecordAndRemovesATemporaryFileLeftBeside() throws Exception {
        BackupJob job = completedJob(false);
        TargetRecords.write("vm1", job);
        Path left = Files.writeString(dir.resolve(".vda.full.json.123456789.tmp"), "{");
        // A finish killed after the records but before it forgot the job: the next call finishes again.
        TargetRecords.write("vm1", job);
        assertThat(job.error).isNull();
        assertThat(left).doesNotExist();
        assertThat(BackupRecord.read(dir.resolve("vda.full")).orElseThrow().checkpoint()).isEqualTo("c1");
    }

    @Test
    void anExistingFileIsNeverReplacedByARecord() throws Exception {
        Path existing = Files.writeString(dir.resolve("vda.full.json"), "precious");
        BackupJob job = completedJob(false);
        TargetRecords.write("vm1", job);
        assertThat(Files.readString(existing)).isEqualTo("precious");
        assertThat(job.error).contains(existing.toString()).contains("exists");
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()).toList())
                .containsExactlyInAnyOrder("vda.full", "vda.full.json");
    }

    @Test
    void aReusedTargetsRecordIsReplaced() throws Exception {
        BackupRecord.write(dir.resolve("vda.full"), BackupRecord.full("vm1", "vda", "old", 1 << 20,
                io.backpoint.image.restore.ImageFormat.QCOW2, 1));
        BackupJob job = completedJob(true);
        TargetRecords.write("vm1", job);
        assertThat(BackupRecord.read(dir.resolve("vda.full")).orElseThrow().checkpoint()).isEqualTo("c1");
        assertThat(job.error).isNull();
    }
}
