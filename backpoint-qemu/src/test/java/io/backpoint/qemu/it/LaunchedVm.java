package io.backpoint.qemu.it;

import io.backpoint.model.DomainDef;
import io.backpoint.qemu.block.BlockNodes;
import io.backpoint.image.img.QemuImg;
import io.backpoint.qemu.process.Kvm;
import io.backpoint.qemu.process.QemuCommandLine;
import io.backpoint.qemu.process.QemuProcess;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.qemu.qmp.QmpCommands;
import io.backpoint.qemu.qmp.QmpConnection;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.xml.XmlInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A {@link TestVm} launched below the driver, by QemuCommandLine and QemuProcess, and driven by a
 * QmpClient of its own: two qcow2 disks (vda, vdb) and one raw (vdc). Not thread-safe; one per test.
 */
final class LaunchedVm implements AutoCloseable {
    private static final String NAME = "it";
    private static final int PATTERN = 0xab;
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    final Path dir;
    final QemuImg img = new QemuImg();
    private final DomainDef def;
    private QemuProcess process;
    private QmpClient qmp;

    LaunchedVm(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        String type = TestVm.domainType();
        def = new DomainDef(type, NAME, null, List.of(), XmlInput.parse(TestVm.domainXml(NAME, dir, "qcow2", "qcow2", "raw")));
    }

    Path image(String target) {
        return TestVm.image(dir, NAME, target, target.equals("vdc") ? "raw" : "qcow2");
    }

    QmpClient start() throws IOException {
        Path state = dir.resolve("state");
        Files.createDirectories(state);
        List<String> argv = QemuCommandLine.build(def, state, Kvm.usable());
        process = QemuProcess.launch(argv, QemuCommandLine.pidFile(state, NAME), QemuCommandLine.qmpSocket(state, NAME),
                QemuCommandLine.logFile(state, NAME), TIMEOUT);
        qmp = new QmpClient(QmpConnection.open(QemuCommandLine.qmpSocket(state, NAME), TIMEOUT));
        return qmp;
    }

    QemuProcess process() {
        return process;
    }

    QmpClient qmp() {
        return qmp;
    }

    BlockNodes nodes() throws IOException {
        return BlockNodes.parse(qmp.execute(QmpCommands.queryNamedBlockNodes()));
    }

    /** A guest write through the disk's own virtio device, as the guest would do it. */
    void guestWrite(int diskIndex, long offset, long length) throws IOException {
        TestVm.checkGuestWrite(qmp.execute(QmpCommands.humanMonitorCommand(TestVm.guestWriteCommand(diskIndex, PATTERN, offset, length))).asText());
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
