package io.backpoint.qemu.backup;

import static io.backpoint.qemu.testing.TestVm.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.backup.BackupAlign;
import io.backpoint.model.BackupDef;
import io.backpoint.model.BackupServer;
import io.backpoint.model.CheckpointDef;
import io.backpoint.model.CheckpointDiskDef;
import io.backpoint.model.CheckpointType;
import io.backpoint.model.DomainDef;
import io.backpoint.qemu.block.BlockNodeNames;
import io.backpoint.qemu.block.BlockNodes;
import io.backpoint.qemu.block.CheckpointPlanner;
import io.backpoint.qemu.block.SizePlanner;
import io.backpoint.qemu.driver.RecordingDriver;
import io.backpoint.qemu.qmp.QmpCommands;
import io.backpoint.qemu.qmp.QmpStep;
import io.backpoint.qemu.testing.RunningVm;
import io.backpoint.qemu.testing.RunningVms;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.testing.QemuTest;
import io.backpoint.vocab.CheckpointDeleteFlag;
import io.backpoint.vocab.CheckpointXmlFlag;
import io.backpoint.vocab.JobType;
import io.backpoint.xml.BackupParseFlag;
import io.backpoint.xml.BackupXml;
import io.backpoint.xml.DomainXml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What really runs is what the planners plan: every QMP command a checkpoint create, SIZE, backup
 * begin (push and pull, full and incremental) and checkpoint delete sends through a real QEMU is
 * recorded at the one {@code execute(step)} and compared with the planners' output for the same
 * inputs (the functions the golden files and libvirt's traces check). Reads (query-*) and the
 * dismissal of a finished blockdev-create job are the only commands outside a step list.
 */
@QemuTest
class PlannedCommandsQemuTest {
    private static final long SIZE = 64 * MIB;
    private static final List<String> DISKS = List.of("vda", "vdb");

    @RegisterExtension
    static final RunningVms VMS = new RunningVms();

    @TempDir
    Path root;

    private final RecordingDriver recorder = new RecordingDriver();
    private Path out;
    private Connection conn;
    private Domain dom;

    @BeforeEach
    void start() throws Exception {
        out = Files.createDirectories(root.resolve("out"));
        RunningVm vm = VMS.start(root, SIZE, "qcow2", "qcow2");
        conn = recorder.connect(TestVm.uri(root.resolve("state")));
        dom = conn.domainByName(RunningVm.NAME);
    }

    @AfterEach
    void close() {
        conn.close();
    }

    @Test
    void checkpointCreateSizeAndDeleteSendTheirPlans() throws Exception {
        recorder.clear();
        dom.createCheckpoint(checkpointXml("c1"), 0);
        assertThat(planned()).containsExactly(QmpCommands.transaction(
                CheckpointPlanner.create("c1", List.of(BlockNodeNames.format("vda"), BlockNodeNames.format("vdb")))));

        TestVm.guestWrite(dom, 0, 0xab, 0, MIB);
        BlockNodes nodes = nodes();
        recorder.clear();
        String xml = dom.checkpoint("c1").xmlDesc(Set.of(CheckpointXmlFlag.SIZE));
        SizePlanner.Plan size = SizePlanner.plan("c1", chains(), nodes);
        assertThat(planned()).containsExactly(QmpCommands.transaction(size.prepare()),
                QmpCommands.transaction(size.cleanup()));
        assertThat(xml).contains("size='" + MIB + "'");

        nodes = nodes();
        recorder.clear();
        dom.checkpoint("c1").delete(Set.<CheckpointDeleteFlag>of());
        assertThat(planned()).containsExactly(
                QmpCommands.transaction(CheckpointPlanner.delete("c1", chains(), nodes).actions()));
    }

    @Test
    void everyBeginSendsItsPlan() throws Exception {
        dom.createCheckpoint(checkpointXml("c0"), 0);
        TestVm.guestWrite(dom, 0, 0xab, 0, MIB);

        String pushFull = pushXml(null, "full");
        assertBeginSendsPlan(pushFull, "c1");
        awaitEnd();

        TestVm.guestWrite(dom, 1, 0xcd, 2 * MIB, MIB);
        String pushInc = pushXml("c1", "inc");
        assertBeginSendsPlan(pushInc, "c2");
        // One call, one session, one parse of the running definition.
        assertThat(recorder.sessions()).isEqualTo(1);
        assertThat(recorder.parses()).isEqualTo(1);
        awaitEnd();

        assertBeginSendsPlan(pullXml(null, "pfull"), null);
        dom.abortJob();
        awaitEnd();

        assertBeginSendsPlan(pullXml("c2", "pinc"), "c3");
        dom.abortJob();
        awaitEnd();
    }

    /** Begins the backup and compares what was sent with the plan for the same inputs. */
    private void assertBeginSendsPlan(String backupXml, String checkpoint) throws Exception {
        BlockNodes nodes = nodes();
        JsonNode raw = TestVm.qmp(dom, "{\"execute\":\"query-named-block-nodes\",\"arguments\":{\"flat\":true}}");
        DomainDef domain = DomainXml.parse(dom.xmlDesc(false, false));
        recorder.clear();
        dom.backupBegin(backupXml, checkpoint == null ? null : checkpointXml(checkpoint), 0);
        List<QmpStep> sent = planned();

        BackupDef aligned = BackupAlign.align(BackupXml.parse(backupXml, EnumSet.noneOf(BackupParseFlag.class)), domain,
                checkpoint == null ? "x" : checkpoint);
        Path socket = root.resolve("state/run").resolve(RunningVm.NAME).resolve("backup-nbd.sock");
        BackupDef filled = BackupPlanner.fill(aligned, BackupServer.unix(socket.toString()));
        BackupPlan plan = BackupPlanner.plan(filled, checkpoint == null ? null : checkpointDef(checkpoint, domain),
                sources(domain, raw), nodes, false);
        assertThat(sent).isNotEmpty().containsExactlyElementsOf(plan.steps());
    }

    /** The steps sent since the last clear, without reads and blockdev-create dismissals. */
    private List<QmpStep> planned() {
        return recorder.sent().stream()
                .filter(s -> !s.command().startsWith("query-"))
                .filter(s -> !(s.command().equals("job-dismiss") && s.arguments().path("id").asText().startsWith("create-")))
                .toList();
    }

    private void awaitEnd() throws InterruptedException {
        assertThat(TestVm.awaitJobEnd(dom, 120_000).type()).isIn(JobType.COMPLETED, JobType.CANCELLED);
    }

    private BlockNodes nodes() {
        return BlockNodes.parse(TestVm.qmp(dom, "{\"execute\":\"query-named-block-nodes\",\"arguments\":{\"flat\":true}}"));
    }

    private static Map<String, List<String>> chains() {
        Map<String, List<String>> chains = new LinkedHashMap<>();
        for (String d : DISKS) {
            chains.put(d, BlockNodeNames.chain(d));
        }
        return chains;
    }

    private static Map<String, DiskSource> sources(DomainDef domain, JsonNode raw) {
        Map<String, DiskSource> m = new LinkedHashMap<>();
        for (String d : DISKS) {
            long size = -1;
            for (JsonNode n : raw) {
                if (n.path("node-name").asText().equals(BlockNodeNames.format(d))) {
                    size = n.path("image").path("virtual-size").asLong();
                }
            }
            m.put(d, new DiskSource(d, domain.diskByTarget(d).source(), "qcow2", size));
        }
        return m;
    }

    private static CheckpointDef checkpointDef(String name, DomainDef domain) {
        return new CheckpointDef(name, null, null, 0, List.of(new CheckpointDiskDef("vda", CheckpointType.BITMAP, name, null),
                new CheckpointDiskDef("vdb", CheckpointType.BITMAP, name, null)), domain);
    }

    private static String checkpointXml(String name) {
        return "<domaincheckpoint><name>" + name + "</name><disks><disk name='vda'/><disk name='vdb'/></disks></domaincheckpoint>";
    }

    private String pushXml(String incremental, String suffix) {
        return "<domainbackup>" + (incremental == null ? "" : "<incremental>" + incremental + "</incremental>")
                + "<disks><disk name='vda' type='file'><target file='" + out.resolve("vda." + suffix) + "'/></disk>"
                + "<disk name='vdb' type='file'><target file='" + out.resolve("vdb." + suffix) + "'/></disk>"
                + "</disks></domainbackup>";
    }

    private String pullXml(String incremental, String suffix) {
        return "<domainbackup mode='pull'>" + (incremental == null ? "" : "<incremental>" + incremental + "</incremental>")
                + "<server transport='unix' socket='" + out.resolve(suffix + ".sock") + "'/><disks><disk name='vda' type='file'><scratch file='" + out.resolve("vda." + suffix) + "'/></disk>"
                + "<disk name='vdb' type='file'><scratch file='" + out.resolve("vdb." + suffix) + "'/></disk>"
                + "</disks></domainbackup>";
    }
}
