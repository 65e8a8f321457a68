package io.backpoint.qemu.backup;

import static io.backpoint.qemu.testing.FakeQmpPeer.fails;
import static io.backpoint.qemu.testing.FakeQmpPeer.hangsUp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.backpoint.backup.BackupAlign;
import io.backpoint.checkpoint.FileCheckpointStore;
import io.backpoint.driver.DomainInfo;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.BackupDef;
import io.backpoint.model.DomainDef;
import io.backpoint.qemu.domain.DomainFiles;
import io.backpoint.qemu.domain.QemuDomain;
import io.backpoint.qemu.domain.QemuObserver;
import io.backpoint.qemu.testing.FakeQmpPeer;
import io.backpoint.qemu.testing.FakeQmpPeer.Answer;
import io.backpoint.vocab.DomainState;
import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;
import io.backpoint.xml.BackupParseFlag;
import io.backpoint.xml.BackupXml;
import io.backpoint.xml.DomainXml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pull backup's begin and the reconcile that finishes it, against a scripted QMP peer serving a
 * {@link BlockModel} of QEMU, with the monitor failing at each command in turn: QEMU refuses one
 * (an error reply), or the connection drops just before or just after QEMU carried it out. The
 * caller always gets a typed error, and once the monitor answers again the next calls leave
 * nothing behind: no node, bitmap, job, NBD server or export in QEMU, no scratch file, socket or
 * job record on disk.
 */
class BackupMonitorFaultsTest {
    private static final long SIZE = 64L << 20;
    private static final DomainInfo DOM = new DomainInfo("vm1", "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
            DomainState.RUNNING, 1, true);

    @TempDir
    Path root;

    /** One domain's world: its QEMU (the model), files and the mechanics, as one test case sees it. */
    private final class World {
        final Path dir;
        final BlockModel qemu;
        final DomainFiles files;
        final DomainDef domain;
        final QemuBackupMechanics mechanics;
        private QemuDomain seam;
        /** Commands of the last call, in order. */
        List<String> sent = List.of();

        World(String name) throws IOException {
            dir = Files.createDirectories(root.resolve(name));
            qemu = new BlockModel(dir, SIZE, "vda", "vdb");
            files = new DomainFiles("vm1", Files.createDirectories(dir.resolve("run")),
                    Files.createDirectories(dir.resolve("backup")));
            Files.createDirectories(dir.resolve("out"));
            domain = DomainXml.parse("<domain type='qemu'><name>vm1</name><memory unit='MiB'>128</memory><devices>"
                    + disk("vda") + disk("vdb") + "</devices></domain>");
            mechanics = new QemuBackupMechanics(n -> seam);
        }

        private String disk(String target) {
            return "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='"
                    + dir.resolve(target + ".qcow2") + "'/><target dev='" + target + "' bus='virtio'/></disk>";
        }

        BackupDef pull() {
            BackupDef def = BackupXml.parse("<domainbackup mode='pull'><server transport='unix' socket='"
                    + files.nbdSocket() + "'/><disks><disk name='vda' type='file'><scratch file='"
                    + dir.resolve("out/vda.scratch") + "'/></disk><disk name='vdb' type='file'><scratch file='"
                    + dir.resolve("out/vdb.scratch") + "'/></disk></disks></domainbackup>",
                    EnumSet.noneOf(BackupParseFlag.class));
            return BackupAlign.align(def, domain, "1700000000");
        }

        /** One call of the driver: a session of its own, served from the model, with these faults put in. */
        <T> T call(Consumer<FakeQmpPeer> faults, Function<QemuBackupMechanics, T> body) throws IOException {
            try (FakeQmpPeer peer = FakeQmpPeer.at(files.qmpSocket());
                    QemuDomain s = new QemuDomain("vm1", files, () -> domain, () -> true,
                            () -> new FileCheckpointStore(dir.resolve("checkpoints")), Clock.systemUTC(), QemuObserver.NONE)) {
                peer.handshake().serve(qemu::answer);
                faults.accept(peer);
                peer.start();
                seam = s;
                try {
                    return body.apply(mechanics);
                } finally {
                    List<String> commands = new ArrayList<>();
                    for (JsonNode r : peer.requests()) {
                        commands.add(r.path("execute").asText());
                    }
                    sent = commands.subList(Math.min(1, commands.size()), commands.size());
                }
            }
        }

        String begin(Consumer<FakeQmpPeer> faults) throws IOException {
            return call(faults, m -> m.begin(DOM, pull(), null, Map.of(), false, () -> { }));
        }

        boolean jobActive() throws IOException {
            return call(p -> { }, m -> m.jobActive(DOM));
        }

        /** Calls as a user would until no job is left: a running one is aborted. */
        void finish() throws IOException {
            if (jobActive()) {
                call(p -> { }, m -> {
                    m.abort(DOM);
                    return null;
                });
            }
            assertThat(jobActive()).isFalse();
        }

        void assertNothingLeft() throws IOException {
            assertThat(qemu.leftovers()).as("left in QEMU").isEmpty();
            try (var out = Files.list(dir.resolve("out"))) {
                assertThat(out.toList()).as("scratch files").isEmpty();
            }
            assertThat(files.backupJob()).as("job record").doesNotExist();
            assertThat(files.nbdSocket()).as("NBD socket").doesNotExist();
        }

        /** The disconnect: QEMU carried the command out (or not), then the connection dropped. */
        Answer dropsAfterApplying() {
            return (peer, req) -> {
                qemu.apply(req);
                hangsUp().answer(peer, req);
            };
        }
    }

    private static void assertMonitorError(BackpointException e) {
        assertThat(e).as("a typed error").isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED);
        assertThat(e.getMessage()).startsWith("operation failed: QEMU monitor failed during '")
                .endsWith("QEMU closed the monitor connection");
    }

    @Test
    void aHealthyBeginExportsEveryDiskAndAnAbortLeavesNothing() throws Exception {
        World w = new World("healthy");
        w.begin(p -> { });
        assertThat(w.sent).endsWith("nbd-server-start", "transaction", "block-export-add", "block-export-add");
        assertThat(w.qemu.leftovers()).isNotEmpty();
        w.finish();
        w.assertNothingLeft();
    }

    @Test
    void anNbdServerThatCannotStartUndoesTheBeginAndStopsNoServerItDidNotStart() throws Exception {
        World w = new World("nbd");
        BackpointException e = catchThrowableOfType(() -> w.begin(
                p -> p.faultOn("nbd-server-start", fails("GenericError", "Failed to bind socket: Address already in use"))),
                BackpointException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
        assertThat(e.getMessage()).contains("nbd-server-start").contains("Address already in use");
        // The server that runs is someone else's: not stopped.
        assertThat(w.sent).doesNotContain("nbd-server-stop", "transaction");
        w.assertNothingLeft();
    }

    @Test
    void aTransactionQemuRefusesUndoesTheBegin() throws Exception {
        World w = new World("transaction");
        BackpointException e = catchThrowableOfType(() -> w.begin(
                p -> p.faultOn("transaction", fails("GenericError", "Node 'bp-vdb-format' is busy"))),
                BackpointException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
        assertThat(e.getMessage()).contains("transaction").contains("is busy");
        assertThat(w.sent).contains("nbd-server-stop").doesNotContain("block-export-add");
        w.assertNothingLeft();
        assertThat(w.call(p -> { }, m -> m.jobInfo(DOM, true)).type()).isEqualTo(JobType.NONE);
    }

    /** Every command of a begin, the connection dropping before and after QEMU carried it out. */
    @Test
    void aMonitorThatDropsAtAnyCommandOfABeginIsCleanedUpByTheNextCall() throws Exception {
        World healthy = new World("count");
        healthy.begin(p -> { });
        int commands = healthy.sent.size();
        assertThat(commands).isGreaterThan(10);
        for (int n = 1; n <= commands; n++) {
            for (boolean applied : new boolean[] {false, true}) {
                World w = new World("begin-" + n + "-" + applied);
                int at = n;
                BackpointException e = catchThrowableOfType(
                        () -> w.begin(p -> p.faultAt(at, applied ? w.dropsAfterApplying() : hangsUp())),
                        BackpointException.class);
                String where = "drop at command " + n + " (" + healthy.sent.get(n - 1) + ")" + (applied ? " after it ran" : "");
                assertThat(e).as(where).isNotNull();
                assertMonitorError(e);
                w.finish();
                w.assertNothingLeft();
            }
        }
    }

    /**
     * A job whose sub-jobs concluded, reconciled by a call whose monitor drops at each of its
     * commands in turn: the call fails with a typed error and the record stays, so that the next
     * call finishes the job (nothing left, not a node).
     */
    @Test
    void aMonitorThatDropsAtAnyCommandOfAReconcileLeavesTheRestToTheNextCall() throws Exception {
        World healthy = new World("reconcile-count");
        healthy.begin(p -> { });
        healthy.qemu.concludeJobs();
        assertThat(healthy.jobActive()).isFalse();
        int commands = healthy.sent.size();
        assertThat(commands).isGreaterThan(5);
        healthy.assertNothingLeft();
        for (int n = 1; n <= commands; n++) {
            for (boolean applied : new boolean[] {false, true}) {
                World w = new World("reconcile-" + n + "-" + applied);
                w.begin(p -> { });
                w.qemu.concludeJobs();
                int at = n;
                String where = "drop at command " + n + " (" + healthy.sent.get(n - 1) + ")" + (applied ? " after it ran" : "");
                BackpointException e = catchThrowableOfType(
                        () -> w.call(p -> p.faultAt(at, applied ? w.dropsAfterApplying() : hangsUp()), m -> m.jobActive(DOM)),
                        BackpointException.class);
                assertThat(e).as(where).isNotNull();
                assertMonitorError(e);
                assertThat(w.files.backupJob()).as(where + ": the record stays for the next call").exists();
                w.finish();
                w.assertNothingLeft();
                JobInfo done = w.call(p -> { }, m -> m.jobInfo(DOM, true));
                assertThat(done.type()).as(where).isEqualTo(JobType.COMPLETED);
            }
        }
    }
}
