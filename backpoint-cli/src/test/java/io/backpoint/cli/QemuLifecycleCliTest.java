package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.qemu.testing.RunningVms;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.qemu.testing.TestVm.Disk;
import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The domain lifecycle and checkpoint commands against a real QEMU, through the CLI. */
@QemuTest
class QemuLifecycleCliTest {
    @TempDir
    Path dir;

    @RegisterExtension
    static final RunningVms VMS = new RunningVms();

    private String uri;

    @Test
    void defineStartCheckpointDestroyUndefine() throws Exception {
        uri = VMS.embed(dir);
        Path vda = dir.resolve("vda.qcow2");
        Files.writeString(dir.resolve("vm.xml"), TestVm.domainXml("vm1", List.of(
                Disk.create("vda", vda, "qcow2", 64 * TestVm.MIB), Disk.create("vdb", dir.resolve("vdb.raw"), "raw", 16 * TestVm.MIB))));

        CliRun r = run("define vm.xml; list --all; start vm1; domstate vm1; list");
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout()).as(r.stderr()).isEqualTo("Domain 'vm1' defined from vm.xml\n\n"
                + " Id   Name   State\n-----------------------\n -    vm1    shut off\n\n"
                + "Domain 'vm1' started\n\n"
                + "running\n\n"
                + " Id   Name   State\n----------------------\n 1    vm1    running\n\n");

        r = run("checkpoint-create-as vm1 c1");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("error: unsupported configuration: checkpoint for disk vdb unsupported for storage type raw");

        r = run("checkpoint-create-as vm1 c1 --diskspec vda --diskspec vdb,checkpoint=no; "
                + "qemu-monitor-command vm1 --hmp 'qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -P 0xab 0 128k\"'; "
                + "checkpoint-dumpxml vm1 c1 --size --no-domain; checkpoint-info vm1 c1");
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("<disk name='vda' checkpoint='bitmap' bitmap='c1' size='131072'/>")
                .contains("<disk name='vdb' checkpoint='no'/>")
                .contains("Descendants:    0\n").doesNotContain("Usable:");

        // A VM whose vCPUs are stopped is paused, worded as virsh words it (issue 8, item 14).
        r = run("qemu-monitor-command vm1 --hmp stop; domstate vm1 --reason; list; dominfo vm1");
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("\npaused (user)\n")
                .contains(" 1    vm1    paused\n")
                .contains("State:          paused\n");
        r = run("qemu-monitor-command vm1 --hmp cont; domstate vm1");
        assertThat(r.stdout()).endsWith("running\n\n");

        r = run("undefine vm1");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.stderr()).contains("running");

        r = run("destroy vm1; domstate vm1; undefine vm1");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.stdout()).startsWith("Domain 'vm1' destroyed\n\nshut off\n\n");
        assertThat(r.stderr()).contains("1 checkpoints").contains("--checkpoints-metadata");

        r = run("undefine vm1 --checkpoints-metadata; list --all --name");
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("Domain 'vm1' has been undefined\n\n\n");
        assertThat(Files.exists(dir.resolve("state/checkpoint/vm1/c1.xml"))).isFalse();
        // The images keep their bitmaps: metadata only was dropped.
        assertThat(Tools.run("qemu-img", "info", vda.toString())).contains("c1");
    }

    @Test
    void unsupportedElementsAreRefusedAtDefine() throws Exception {
        uri = "qemu:///embed?root=" + dir.resolve("state");
        Files.writeString(dir.resolve("bad.xml"), "<domain type='qemu'><name>bad</name><memory>131072</memory>"
                + "<devices><interface type='network'><source network='default'/></interface></devices></domain>");
        CliRun r = run("define bad.xml");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("error: unsupported configuration:").contains("interface");
        assertThat(run("list --all --name").stdout()).isEqualTo("\n");
    }

    private CliRun run(String commands) {
        return CliRun.on(dir, uri, commands);
    }
}
