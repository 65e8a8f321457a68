package io.backpoint.qemu.backup;

import static io.backpoint.qemu.testing.TestVm.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.api.Domain;
import io.backpoint.qemu.testing.RunningVms;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull backups on a real QEMU, read by libnbd's nbdcopy and nbdinfo as an independent client:
 * the export is the disk frozen at begin while the guest keeps writing, and the dirty bitmap
 * lists exactly what was written since the checkpoint.
 */
@QemuTest
class PullBackupQemuTest {
    private static final long SIZE = 64 * MIB;

    @RegisterExtension
    static final RunningVms VMS = new RunningVms("nbdinfo", "nbdcopy");

    @TempDir
    Path root;

    private Domain dom;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(root.resolve("scratch"));
        dom = VMS.start(root, SIZE, "qcow2", "qcow2").dom();
    }

    @Test
    void exportIsTheDiskAtBeginAndItsBitmapListsWritesSinceTheCheckpoint() throws Exception {
        TestVm.guestWrite(dom, 0, 0xa1, 0, MIB);
        TestVm.guestWrite(dom, 1, 0xb1, 2 * MIB, MIB);
        dom.createCheckpoint("<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
        TestVm.guestWrite(dom, 0, 0xa2, 4 * MIB, MIB);
        TestVm.guestWrite(dom, 0, 0xa3, 10 * MIB, 64 * 1024);

        Path socket = root.resolve("nbd.sock");
        dom.backupBegin("<domainbackup mode='pull'><incremental>c1</incremental>"
                + "<server transport='unix' socket='" + socket + "'/><disks>"
                + "<disk name='vda' type='file'><scratch file='" + root.resolve("scratch/vda.qcow2") + "'/></disk>"
                + "<disk name='vdb' type='file'><scratch file='" + root.resolve("scratch/vdb.qcow2") + "'/></disk>"
                + "</disks></domainbackup>", "<domaincheckpoint><name>c2</name></domaincheckpoint>", 0);
        // The guest keeps writing, over data the export must still show as it was.
        TestVm.guestWrite(dom, 0, 0xff, 0, 2 * MIB);
        TestVm.guestWrite(dom, 0, 0xee, 4 * MIB, MIB);
        TestVm.guestWrite(dom, 1, 0xdd, 2 * MIB, 4 * MIB);

        String xml = dom.backupXmlDesc();
        assertThat(xml).contains("<server transport='unix' socket='" + socket + "'/>")
                .contains("backupmode='incremental' incremental='c1' exportname='vda' exportbitmap='backup-vda'")
                .contains("<driver type='qcow2'/>").doesNotContain("state=").doesNotContain("privateData");
        JobInfo running = dom.jobInfo(false);
        assertThat(running.type()).isEqualTo(JobType.UNBOUNDED);
        assertThat(running.tempUsed()).as("copy-before-write saved the old data").isPositive();
        assertThat(running.dataTotal()).isZero();

        String vda = "nbd+unix:///vda?socket=" + socket;
        byte[] expectedVda = new byte[(int) SIZE];
        Arrays.fill(expectedVda, 0, (int) MIB, (byte) 0xa1);
        Arrays.fill(expectedVda, (int) (4 * MIB), (int) (5 * MIB), (byte) 0xa2);
        Arrays.fill(expectedVda, (int) (10 * MIB), (int) (10 * MIB + 64 * 1024), (byte) 0xa3);
        assertThat(copy(vda, root.resolve("vda.raw"))).isEqualTo(expectedVda);
        byte[] expectedVdb = new byte[(int) SIZE];
        Arrays.fill(expectedVdb, (int) (2 * MIB), (int) (3 * MIB), (byte) 0xb1);
        assertThat(copy("nbd+unix:///vdb?socket=" + socket, root.resolve("vdb.raw"))).isEqualTo(expectedVdb);

        assertThat(dirty(vda, "backup-vda")).containsExactly(List.of(4 * MIB, MIB), List.of(10 * MIB, 64 * 1024L));
        assertThat(dirty("nbd+unix:///vdb?socket=" + socket, "backup-vdb")).isEmpty();
        assertThat(Tools.run("nbdinfo", "--list", "nbd+unix://?socket=" + socket)).contains("base:allocation")
                .contains("qemu:dirty-bitmap:backup-vda");

        dom.abortJob();
        // Ending a pull backup by abort is its normal end: COMPLETED, as in libvirt.
        assertThat(dom.jobInfo(true).type()).isEqualTo(JobType.COMPLETED);
        assertThat(Files.list(root.resolve("scratch")).toList()).isEmpty();
        assertThat(Files.exists(socket)).isFalse();
        assertThat(BackupProbe.leftovers(dom)).isEmpty();
        assertThat(dom.checkpoint("c2").parent().name()).isEqualTo("c1");
    }

    @Test
    void tcpWithoutPortTakesAFreePortOnTheGivenAddressAndDefaultScratchFiles() throws Exception {
        TestVm.guestWrite(dom, 0, 0x5a, MIB, MIB);
        dom.backupBegin("<domainbackup mode='pull'><server name='127.0.0.1'/><disks><disk name='vda'/></disks>"
                + "</domainbackup>", null, 0);
        String xml = dom.backupXmlDesc();
        Matcher m = Pattern.compile("<server transport='tcp' name='127.0.0.1' port='(\\d+)'/>").matcher(xml);
        assertThat(m.find()).as(xml).isTrue();
        int port = Integer.parseInt(m.group(1));
        assertThat(port).isBetween(10809, 10872);
        // A full pull backup: no bitmap, generated scratch beside the disk, vdb left out.
        assertThat(xml).contains("backupmode='full' exportname='vda'").doesNotContain("exportbitmap")
                .contains("<disk name='vdb' backup='no'/>");
        Matcher scratch = Pattern.compile("<scratch file='([^']+)'/>").matcher(xml);
        assertThat(scratch.find()).isTrue();
        assertThat(Files.exists(Path.of(scratch.group(1)))).isTrue();

        String uri = "nbd://127.0.0.1:" + port + "/vda";
        assertThat(Tools.run("nbdinfo", "--list", "nbd://127.0.0.1:" + port)).contains("base:allocation")
                .doesNotContain("qemu:dirty-bitmap");
        byte[] expected = new byte[(int) SIZE];
        Arrays.fill(expected, (int) MIB, (int) (2 * MIB), (byte) 0x5a);
        assertThat(copy(uri, root.resolve("vda.raw"))).isEqualTo(expected);

        dom.abortJob();
        assertThat(Files.exists(Path.of(scratch.group(1)))).isFalse();
        assertThat(BackupProbe.leftovers(dom)).isEmpty();
        assertThat(Tools.status("nbdinfo", "--list", "nbd://127.0.0.1:" + port)).isNotZero();
    }

    @Test
    void scratchFilesAreReadableByTheOwnerOnly() throws Exception {
        Path scratch = root.resolve("scratch/vda.qcow2");
        dom.backupBegin("<domainbackup mode='pull'><server transport='unix' socket='" + root.resolve("nbd.sock")
                + "'/><disks><disk name='vda' type='file'><scratch file='" + scratch + "'/></disk>"
                + "<disk name='vdb' backup='no'/></disks></domainbackup>", null, 0);
        // The scratch file holds the guest's old data: nobody else may read it.
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(scratch))).isEqualTo("rw-------");
        dom.abortJob();
        assertThat(Files.exists(scratch)).isFalse();
    }

    private static byte[] copy(String uri, Path file) throws Exception {
        Tools.run("nbdcopy", uri, file.toString());
        return Files.readAllBytes(file);
    }

    /** Dirty ranges [offset, length] from {@code nbdinfo --map=qemu:dirty-bitmap:NAME}. */
    private static List<List<Long>> dirty(String uri, String bitmap) throws Exception {
        List<List<Long>> out = new ArrayList<>();
        for (String line : Tools.run("nbdinfo", "--map=qemu:dirty-bitmap:" + bitmap, uri).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[2].equals("1")) {
                out.add(List.of(Long.parseLong(f[0]), Long.parseLong(f[1])));
            }
        }
        return out;
    }
}
