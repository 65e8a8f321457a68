package io.backpoint.qemu.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.api.Connection;
import io.backpoint.model.BackupDef;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.vocab.JobType;
import io.backpoint.xml.BackupParseFlag;
import io.backpoint.xml.BackupXml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, item 12: a job record is no licence to delete. When a call cleans up after a job whose
 * QEMU is gone, it deletes the disk targets the job created and nothing else the record names.
 */
class PlantedJobRecordTest {
    @TempDir
    Path dir;

    @Test
    void cleanupDeletesOnlyTheJobsOwnTargetsNotOtherFilesTheRecordNames() throws Exception {
        TestVm.assumeQemu();
        Path state = dir.resolve("state");
        Path target = Files.writeString(dir.resolve("vda.full.qcow2"), "half-written target");
        Path victim = Files.writeString(dir.resolve("precious"), "someone's file");
        try (Connection conn = Connection.open(TestVm.uri(state))) {
            conn.defineDomain(TestVm.domainXml("vm1", Files.createDirectories(dir.resolve("img")), "qcow2"));
            BackupDef def = BackupXml.parse("<domainbackup mode='push'><disks><disk name='vda' type='file'><target file='"
                    + target + "'/></disk></disks></domainbackup>", EnumSet.noneOf(BackupParseFlag.class));
            def = def.withDisk(def.disk("vda").withState(io.backpoint.model.BackupDiskState.RUNNING));
            BackupJob job = new BackupJob("planted", def, BackupJob.Phase.RUNNING, System.currentTimeMillis(), false, null);
            job.created.add(target.toString());
            job.created.add(victim.toString());
            new BackupJobStore(new io.backpoint.qemu.domain.DomainFiles("vm1", state.resolve("run/vm1"), state.resolve("backup/vm1"))).save(job);
            assertThat(Files.readString(state.resolve("backup/vm1/job.xml"))).contains(victim.toString());

            // QEMU is not running: the job failed, and this call cleans up after it.
            assertThat(conn.domainByName("vm1").jobInfo(false).type()).isEqualTo(JobType.NONE);
        }
        assertThat(target).doesNotExist();
        assertThat(victim).hasContent("someone's file");
    }
}
