package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * blockpull and blockjob --info through libvirtd (libvirt's own virDomainBlockPull and
 * virDomainGetBlockJobInfo), printed as virsh prints them for the same job.
 */
class LibvirtBlockPullTest {
    private static final String NAME = "bp-blockpull-test";

    @TempDir
    Path dir;

    @AfterEach
    void destroy() throws Exception {
        LibvirtTestDomain.virsh(dir, "-c", LibvirtTestDomain.URI, "destroy", NAME);
    }

    @Test
    void pullsThroughLibvirtdAndReportsAsVirshDoes() throws Exception {
        LibvirtTestDomain.assumeReachable();
        Path base = dir.resolve("base.raw");
        Tools.run("qemu-img", "create", "-q", "-f", "raw", base.toString(), "512M");
        Tools.run("qemu-io", "-f", "raw", "-c", "write -P 0x3c 0 6M", base.toString());
        Path top = dir.resolve("top.qcow2");
        Tools.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", base.toString(), "-F", "raw", top.toString());
        Files.writeString(dir.resolve("d.xml"), "<domain type='qemu'><name>" + NAME + "</name><memory unit='MiB'>64</memory>"
                + "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices><disk type='file' device='disk'>"
                + "<driver name='qemu' type='qcow2'/><source file='" + top + "'/><target dev='vda' bus='virtio'/></disk>"
                + "</devices></domain>");
        CliRun created = LibvirtTestDomain.virsh(dir, "-c", LibvirtTestDomain.URI, "create", "d.xml");
        assertThat(created.status()).as(created.stderr()).isZero();

        CliRun none = CliRun.of(dir, "", "-c", LibvirtTestDomain.URI, "blockjob " + NAME + " vda --info");
        assertThat(none.stdout()).isEqualTo(LibvirtTestDomain.virsh(dir, "-c", LibvirtTestDomain.URI, "blockjob", NAME,
                "vda", "--info").stdout());
        // 512 MiB at 1 MiB/s: the job certainly outlasts the CLI and virsh calls below on a loaded
        // machine; the test ends it by destroying the domain.
        CliRun started = CliRun.of(dir, "", "-c", LibvirtTestDomain.URI, "blockpull " + NAME + " vda --bandwidth 1");
        assertThat(started.status()).as(started.stderr()).isZero();
        CliRun ours = CliRun.of(dir, "", "-c", LibvirtTestDomain.URI, "blockjob " + NAME + " vda --raw");
        CliRun virsh = LibvirtTestDomain.virsh(dir, "-c", LibvirtTestDomain.URI, "blockjob", NAME, "vda", "--raw");
        assertThat(ours.stdout()).startsWith(" type=Block Pull\n bandwidth=1\n cur=");
        assertThat(virsh.stdout()).startsWith(" type=Block Pull\n bandwidth=1\n cur=");

        CliRun still = CliRun.of(dir, "", "-c", LibvirtTestDomain.URI, "blockjob " + NAME + " vda --raw");
        assertThat(still.stdout()).as("the job still runs").startsWith(" type=Block Pull\n");
        LibvirtTestDomain.virsh(dir, "-c", LibvirtTestDomain.URI, "destroy", NAME);
        assertThat(Tools.status("qemu-img", "compare", "-f", "qcow2", "-F", "raw", top.toString(), base.toString())).isZero();
    }
}
