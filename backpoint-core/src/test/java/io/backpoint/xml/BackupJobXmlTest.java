package io.backpoint.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.error.BackpointException;
import io.backpoint.model.BackupDef;
import io.backpoint.model.BackupMode;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** A running job's XML as libvirt 9.0 prints it (virsh backup-dumpxml), index attributes and all. */
class BackupJobXmlTest {
    private static final String LIBVIRT_JOB = """
            <domainbackup mode='pull'>
              <server transport='unix' socket='/tmp/backpoint-1/nbd.sock'/>
              <disks>
                <disk name='vda' backup='yes' type='file' backupmode='incremental' incremental='c1' exportname='vda' exportbitmap='backup-vda' index='3'>
                  <driver type='qcow2'/>
                  <scratch file='/tmp/backpoint-1/scratch-vda.qcow2'/>
                </disk>
                <disk name='vdb' backup='yes' type='file' backupmode='full' exportname='vdb' index='4'>
                  <driver type='qcow2'/>
                  <scratch file='/tmp/backpoint-1/scratch-vdb.qcow2'/>
                </disk>
              </disks>
            </domainbackup>
            """;

    @Test
    void libvirtsOutputOnlyIndexIsDropped() {
        BackupDef def = BackupXml.parseJob(LIBVIRT_JOB);
        assertThat(def.mode()).isEqualTo(BackupMode.PULL);
        assertThat(def.server().socket()).isEqualTo("/tmp/backpoint-1/nbd.sock");
        assertThat(def.disks()).hasSize(2);
    }

    @Test
    void theSchemaStillHoldsForEverythingElse() {
        assertThatThrownBy(() -> BackupXml.parse(LIBVIRT_JOB, EnumSet.noneOf(BackupParseFlag.class)))
                .isInstanceOf(BackpointException.class).hasMessageContaining("index");
        assertThatThrownBy(() -> BackupXml.parseJob(LIBVIRT_JOB.replace("index='4'", "colour='red'")))
                .isInstanceOf(BackpointException.class).hasMessageContaining("colour");
    }
}
