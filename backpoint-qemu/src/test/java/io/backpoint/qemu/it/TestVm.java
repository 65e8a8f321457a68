package io.backpoint.qemu.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.backpoint.model.DomainDef;
import io.backpoint.qemu.block.BlockNodes;
import io.backpoint.qemu.img.QemuImg;
import io.backpoint.qemu.process.Kvm;
import io.backpoint.qemu.process.QemuCommandLine;
import io.backpoint.qemu.process.QemuProcess;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.qemu.qmp.QmpConnection;
import io.backpoint.xml.XmlInput;
import io.backpoint.xml.XmlNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A guest-less VM for real-QEMU tests: two 64 MiB qcow2 disks (vda, vdb) and one raw (vdc),
 * 96 MiB of RAM, KVM when /dev/kvm opens read-write, else TCG. Not thread-safe; one per test.
 */
final class TestVm implements AutoCloseable {
    static final long DISK_SIZE = 64L << 20;
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    final Path dir;
    final QemuImg img = new QemuImg();
    private final DomainDef def;
    private QemuProcess process;
    private QmpClient qmp;

    /** Skips the test when the emulator is not installed; nothing else is a reason to skip. */
    static void assumeQemu() {
        assumeTrue(onPath("qemu-system-x86_64") && onPath("qemu-img"), "qemu-system-x86_64 or qemu-img not installed");
    }

    private static boolean onPath(String binary) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, binary))) {
                return true;
            }
        }
        return false;
    }

    TestVm(Path dir) throws IOException {
        this.dir = dir;
        img.create(image("vda"), "qcow2", DISK_SIZE);
        img.create(image("vdb"), "qcow2", DISK_SIZE);
        img.create(image("vdc"), "raw", DISK_SIZE);
        String type = Kvm.usable() ? "kvm" : "qemu";
        String xml = "<domain type='" + type + "'><name>it</name><memory unit='MiB'>96</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                + disk("vda", "qcow2") + disk("vdb", "qcow2") + disk("vdc", "raw") + "</devices></domain>";
        XmlNode el = XmlInput.parse(xml);
        def = new DomainDef(type, "it", null, List.of(), el);
    }

    private String disk(String target, String format) {
        return "<disk type='file' device='disk'><driver name='qemu' type='" + format + "'/><source file='"
                + image(target) + "'/><target dev='" + target + "' bus='virtio'/></disk>";
    }

    Path image(String target) {
        return dir.resolve(target + (target.equals("vdc") ? ".raw" : ".qcow2"));
    }

    QmpClient start() throws IOException {
        Path state = dir.resolve("state");
        Files.createDirectories(state);
        List<String> argv = QemuCommandLine.build(def, state, Kvm.usable());
        process = QemuProcess.launch(argv, QemuCommandLine.pidFile(state, "it"), QemuCommandLine.qmpSocket(state, "it"),
                QemuCommandLine.logFile(state, "it"), TIMEOUT);
        qmp = new QmpClient(QmpConnection.open(QemuCommandLine.qmpSocket(state, "it"), TIMEOUT));
        return qmp;
    }

    QemuProcess process() {
        return process;
    }

    QmpClient qmp() {
        return qmp;
    }

    BlockNodes nodes() throws IOException {
        return BlockNodes.parse(qmp.queryNamedBlockNodes());
    }

    /** A guest write through the disk's own virtio device, as the guest would do it. */
    void guestWrite(int diskIndex, String offset, String length) throws IOException {
        String out = qmp.humanMonitorCommand("qemu-io -d /machine/peripheral/virtio-disk" + diskIndex
                + "/virtio-backend \"write -P 0xab " + offset + " " + length + "\"");
        if (!out.isBlank()) {
            throw new IOException("qemu-io write failed: " + out);
        }
    }

    /** Graceful stop; true when QEMU exited by itself. */
    boolean stop() throws IOException {
        boolean clean = process.stop(qmp, TIMEOUT);
        qmp.close();
        return clean;
    }

    /** kill -9, and wait until it is gone. */
    void crash() throws IOException {
        process.kill();
        if (!process.waitForExit(TIMEOUT)) {
            throw new IOException("QEMU survived SIGKILL");
        }
        qmp.close();
    }

    @Override
    public void close() throws IOException {
        if (qmp != null) {
            qmp.close();
        }
        if (process != null && process.isAlive()) {
            process.kill();
            process.waitForExit(TIMEOUT);
        }
    }
}
