package io.backpoint.cli;

import io.backpoint.qemu.process.Kvm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.backpoint.api.Connection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The domain lifecycle and checkpoint commands against a real QEMU, through the CLI. */
class QemuLifecycleCliTest {
    @TempDir
    Path dir;

    private String uri;

    record Result(int status, String out, String err) {}

    private Result run(String commands) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"-c", uri, commands}, java.io.InputStream.nullInputStream(), false, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), dir, Connection::open);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @AfterEach
    void destroy() {
        if (uri != null) {
            try (Connection conn = Connection.open(uri)) {
                conn.listAllDomains().stream().filter(d -> d.state().active()).forEach(d -> d.destroy());
            }
        }
    }

    @Test
    void defineStartCheckpointDestroyUndefine() throws Exception {
        assumeTrue(onPath("qemu-system-x86_64") && onPath("qemu-img"), "QEMU is needed");
        uri = "qemu:///embed?root=" + dir.resolve("state");
        Path vda = dir.resolve("vda.qcow2");
        Path vdb = dir.resolve("vdb.raw");
        exec("qemu-img", "create", "-q", "-f", "qcow2", vda.toString(), "64M");
        exec("qemu-img", "create", "-q", "-f", "raw", vdb.toString(), "16M");
        String type = Kvm.usable() ? "kvm" : "qemu";
        Files.writeString(dir.resolve("vm.xml"), "<domain type='" + type + "'><name>vm1</name>"
                + "<memory unit='MiB'>128</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
                + "<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='" + vda
                + "'/><target dev='vda' bus='virtio'/></disk><disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                + "<source file='" + vdb + "'/><target dev='vdb' bus='virtio'/></disk></devices></domain>");

        Result r = run("define vm.xml; list --all; start vm1; domstate vm1; list");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("Domain 'vm1' defined from vm.xml\n\n"
                + " Id   Name   State\n-----------------------\n -    vm1    shut off\n\n"
                + "Domain 'vm1' started\n\n"
                + "running\n\n"
                + " Id   Name   State\n----------------------\n 1    vm1    running\n\n");

        r = run("checkpoint-create-as vm1 c1");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: unsupported configuration: checkpoint for disk vdb unsupported for storage type raw");

        r = run("checkpoint-create-as vm1 c1 --diskspec vda --diskspec vdb,checkpoint=no; "
                + "qemu-monitor-command vm1 --hmp 'qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -P 0xab 0 128k\"'; "
                + "checkpoint-dumpxml vm1 c1 --size --no-domain; checkpoint-info vm1 c1");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("<disk name='vda' checkpoint='bitmap' bitmap='c1' size='131072'/>")
                .contains("<disk name='vdb' checkpoint='no'/>")
                .contains("Descendants:    0\n").doesNotContain("Usable:");

        r = run("undefine vm1");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("running");

        r = run("destroy vm1; domstate vm1; undefine vm1");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).startsWith("Domain 'vm1' destroyed\n\nshut off\n\n");
        assertThat(r.err()).contains("1 checkpoints");

        r = run("undefine vm1 --checkpoints-metadata; list --all --name");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("Domain 'vm1' has been undefined\n\n\n");
        assertThat(Files.exists(dir.resolve("state/checkpoint/vm1/c1.xml"))).isFalse();
        // The images keep their bitmaps: metadata only was dropped.
        assertThat(exec("qemu-img", "info", vda.toString())).contains("c1");
    }

    @Test
    void unsupportedElementsAreRefusedAtDefine() throws Exception {
        uri = "qemu:///embed?root=" + dir.resolve("state");
        Files.writeString(dir.resolve("bad.xml"), "<domain type='qemu'><name>bad</name><memory>131072</memory>"
                + "<devices><interface type='network'><source network='default'/></interface></devices></domain>");
        Result r = run("define bad.xml");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: unsupported configuration:").contains("interface");
        assertThat(run("list --all --name").out()).isEqualTo("\n");
    }

    private static boolean onPath(String binary) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, binary))) {
                return true;
            }
        }
        return false;
    }

    private static String exec(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
