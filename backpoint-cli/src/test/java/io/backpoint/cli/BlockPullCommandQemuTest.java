package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.qemu.testing.RunningVms;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.qemu.testing.TestVm.Disk;
import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * virsh's blockpull and blockjob --info on the daemonless driver: a qcow2 disk over a raw
 * backing file is filled from it while the VM runs, and then has no backing.
 */
@QemuTest
class BlockPullCommandQemuTest {
    private static final long MIB = 1L << 20;

    @RegisterExtension
    static final RunningVms VMS = new RunningVms("qemu-io");

    @TempDir
    Path root;

    private String uri;

    @BeforeEach
    void start() throws Exception {
        uri = VMS.embed(root);
        List<Disk> disks = new ArrayList<>();
        for (String d : new String[] {"vda", "vdb"}) {
            Path base = root.resolve(d + "-base.raw");
            Tools.run("qemu-img", "create", "-q", "-f", "raw", base.toString(), Long.toString(size(d)));
            Tools.run("qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 3M", "-c", "write -P 0x6b 6M 1M", base.toString());
            Path top = root.resolve(d + ".qcow2");
            Tools.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", base.toString(), "-F", "raw", top.toString());
            disks.add(new Disk(d, top, "qcow2"));
        }
        Files.writeString(root.resolve("dom.xml"), TestVm.domainXml("vm1", disks));
        assertThat(cli("define dom.xml; start vm1").status()).isZero();
    }

    /**
     * vda is pulled at 1 MiB/s while several CLI calls look at the job: at 256 MiB it runs for
     * minutes however loaded the machine is, and the test ends it by destroying the domain.
     */
    private static long size(String disk) {
        return (disk.equals("vda") ? 256 : 8) * MIB;
    }

    @Test
    void pullsWhileTheVmRunsShowsProgressAndDropsTheBacking() throws Exception {
        assertThat(cli("blockjob vm1 vda --info").stdout()).isEqualTo("No current block job for vda\n");
        CliRun started = cli("blockpull vm1 vda --bandwidth 1");
        assertThat(started.stdout()).isEqualTo("Block Pull started\n");

        CliRun info = cli("blockjob vm1 vda");
        assertThat(info.status()).as(info.stderr()).isZero();
        assertThat(info.stderr()).matches("\rBlock Pull: \\[ {0,2}[0-9]{1,2} %\\]");
        assertThat(info.stdout()).isEqualTo("    Bandwidth limit: 1048576 bytes/s (1.000 MiB/s)\n\n");
        CliRun raw = cli("blockjob vm1 " + root.resolve("vda.qcow2") + " --raw --bytes");
        assertThat(raw.stdout()).startsWith(" type=Block Pull\n bandwidth=1048576\n cur=").endsWith(" end=" + size("vda") + "\n\n");
        CliRun twice = cli("blockpull vm1 vda");
        assertThat(twice.status()).isEqualTo(1);
        assertThat(twice.stderr()).contains("disk 'vda' already in active block job");
        assertThat(cli("blockpull vm1 vdz").stderr()).contains("disk 'vdz' not found in domain");

        CliRun waited = cli("blockpull vm1 vdb --wait --verbose");
        assertThat(waited.status()).as(waited.stderr()).isZero();
        assertThat(waited.stdout()).isEqualTo("\nPull complete\n");
        assertThat(waited.stderr()).endsWith("\rBlock Pull: [100 %]");

        assertThat(cli("blockjob vm1 vda --info").stderr()).as("the slow pull of vda still runs").startsWith("\rBlock Pull: [");
        assertThat(cli("destroy vm1").status()).isZero();
        Path vdb = root.resolve("vdb.qcow2");
        assertThat(Tools.run("qemu-img", "info", vdb.toString())).doesNotContain("backing file");
        for (String d : new String[] {"vda", "vdb"}) {
            assertThat(Tools.status("qemu-img", "compare", "-f", "qcow2", "-F", "raw", root.resolve(d + ".qcow2").toString(),
                    root.resolve(d + "-base.raw").toString())).as(d).isZero();
        }
    }

    @Test
    void aShutOffDomainOrTheTestDriverIsAClearError() {
        assertThat(cli("destroy vm1").status()).isZero();
        CliRun off = cli("blockpull vm1 vda");
        assertThat(off.status()).isEqualTo(1);
        assertThat(off.stderr()).contains("domain is not running").doesNotContain("Exception");
        CliRun test = CliRun.commands(root, "blockjob test vda --info");
        assertThat(test.stderr()).contains("this function is not supported by the connection driver");
    }

    private CliRun cli(String commands) {
        return CliRun.of(root, "", "-c", uri, commands);
    }
}
