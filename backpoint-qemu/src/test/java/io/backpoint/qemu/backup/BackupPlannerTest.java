package io.backpoint.qemu.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.backup.BackupAlign;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.BackupDef;
import io.backpoint.model.BackupServer;
import io.backpoint.model.CheckpointDef;
import io.backpoint.model.CheckpointDiskDef;
import io.backpoint.model.CheckpointType;
import io.backpoint.model.DiskFormat;
import io.backpoint.model.DomainDef;
import io.backpoint.qemu.block.BlockNodes;
import io.backpoint.qemu.testing.QmpTraces;
import io.backpoint.xml.BackupXml;
import io.backpoint.xml.DomainXml;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The begin planner: golden JSON of every command a begin sends, and the same commands compared
 * with what libvirt 9.0 sent for the same backups (push full/incremental, pull full/incremental),
 * node names translated. The inputs mirror the traced domain: two 256 MiB qcow2 disks.
 */
class BackupPlannerTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Path GOLDEN_SOURCE = Path.of("src/test/resources/golden/backup");
    private static final String IMAGES = "/var/lib/libvirt/images/";
    private static final String OUT = IMAGES + "peer-bench/pexp/";
    private static final long SIZE = 268435456L;
    private static final DomainDef DOMAIN = DomainXml.parse("<domain type='kvm'><name>pexp</name><devices>"
            + disk("vda") + disk("vdb") + "</devices></domain>");

    private static String disk(String target) {
        return "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='" + IMAGES + "pexp-"
                + target + ".qcow2'/><target dev='" + target + "' bus='virtio'/></disk>";
    }

    private static Map<String, DiskSource> sources() {
        Map<String, DiskSource> m = new LinkedHashMap<>();
        for (String d : List.of("vda", "vdb")) {
            m.put(d, new DiskSource(d, IMAGES + "pexp-" + d + ".qcow2", "qcow2", SIZE));
        }
        return m;
    }

    private static CheckpointDef checkpoint(String name) {
        return new CheckpointDef(name, null, null, 0, List.of(new CheckpointDiskDef("vda", CheckpointType.BITMAP, name, null),
                new CheckpointDiskDef("vdb", CheckpointType.BITMAP, name, null)), DOMAIN);
    }

    /** Bitmaps as Backpoint names nodes: each listed checkpoint on both disks, 64 KiB granularity. */
    private static BlockNodes nodes(String... checkpoints) throws IOException {
        StringBuilder sb = new StringBuilder("[");
        for (String d : List.of("vda", "vdb")) {
            sb.append(sb.length() > 1 ? "," : "").append("{\"node-name\":\"bp-").append(d).append("-format\",\"dirty-bitmaps\":[");
            for (int i = 0; i < checkpoints.length; i++) {
                sb.append(i > 0 ? "," : "").append("{\"name\":\"").append(checkpoints[i])
                        .append("\",\"recording\":true,\"persistent\":true,\"granularity\":65536,\"count\":0}");
            }
            sb.append("]}");
        }
        return BlockNodes.parse(JSON.readTree(sb.append("]").toString()));
    }

    private static BackupPlan plan(String backupXml, String checkpoint, BlockNodes nodes) {
        BackupDef def = BackupAlign.align(BackupXml.parse(backupXml, EnumSet.noneOf(io.backpoint.xml.BackupParseFlag.class)),
                DOMAIN, "SUFFIX");
        def = BackupPlanner.fill(def, BackupServer.unix("/run/default.sock"));
        return BackupPlanner.plan(def, checkpoint == null ? null : checkpoint(checkpoint), sources(), nodes, false);
    }

    static final String PUSH_FULL = "<domainbackup><disks><disk name='vda' type='file'><target file='" + OUT
            + "full-vda.qcow2'/></disk><disk name='vdb' type='file'><driver type='raw'/><target file='" + OUT
            + "full-vdb.raw'/></disk></disks></domainbackup>";
    static final String PUSH_INC = "<domainbackup><incremental>b1</incremental><disks><disk name='vda' type='file'>"
            + "<target file='" + OUT + "inc-vda.qcow2'/></disk></disks></domainbackup>";
    static final String PULL_FULL = "<domainbackup mode='pull'><server transport='unix' socket='/var/tmp/pexp.sock'/>"
            + "<disks><disk name='vda' type='file'><scratch file='" + OUT + "scratch-vda.qcow2'/></disk>"
            + "<disk name='vdb' exportname='second' type='file'><scratch file='" + OUT + "scratch-vdb.qcow2'/></disk>"
            + "</disks></domainbackup>";
    static final String PULL_INC = "<domainbackup mode='pull'><incremental>b2</incremental>"
            + "<server transport='unix' socket='/var/tmp/pexp.sock'/><disks>"
            + "<disk name='vda' type='file'><scratch file='" + OUT + "scratch-vda.qcow2'/></disk>"
            + "<disk name='vdb' exportname='second' exportbitmap='mybitmap' type='file'><scratch file='" + OUT
            + "scratch-vdb.qcow2'/></disk></disks></domainbackup>";

    @Test
    void pushFullGolden() throws Exception {
        golden("push-full.json", plan(PUSH_FULL, "b1", nodes()).toJson());
    }

    @Test
    void pushIncrementalGolden() throws Exception {
        golden("push-incremental.json", plan(PUSH_INC, "b2", nodes("b1")).toJson());
    }

    @Test
    void pullFullGolden() throws Exception {
        golden("pull-full.json", plan(PULL_FULL, null, nodes()).toJson());
    }

    @Test
    void pullIncrementalGolden() throws Exception {
        golden("pull-incremental.json", plan(PULL_INC, "b3", nodes("b2", "b1")).toJson());
    }

    @Test
    void incrementalTargetIsBackedByTheDiskAndFullIsNot() {
        BackupPlan full = plan(PUSH_FULL, null, nodesUnchecked());
        BackupPlan inc = plan(PUSH_INC, null, nodesUnchecked("b1"));
        JsonNode fullAttach = full.disks().get(0).prepare().get(2).arguments();
        JsonNode incAttach = inc.disks().get(0).prepare().get(2).arguments();
        assertThat(fullAttach.get("backing").isNull()).isTrue();
        assertThat(incAttach.get("backing").asText()).isEqualTo("bp-vda-format");
        assertThat(inc.disks().get(0).prepare().get(1).arguments().path("options").path("backing-file").asText())
                .isEqualTo(IMAGES + "pexp-vda.qcow2");
        // The temporary bitmap of a push job sits on the disk; of a pull job on the scratch node.
        assertThat(inc.disks().get(0).bitmapNode()).isEqualTo("bp-vda-format");
        assertThat(plan(PULL_INC, null, nodesUnchecked("b2")).disks().get(0).bitmapNode()).isEqualTo("bp-vda-backup-format");
    }

    @Test
    void missingOrInconsistentBitmapIsRefusedBeforeAnythingIsPlanned() throws Exception {
        assertThatThrownBy(() -> plan(PUSH_INC, null, nodes()))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_INCONSISTENT);
                    assertThat(e.getMessage()).contains("'b1'").contains("'vda'");
                });
        BlockNodes inconsistent = BlockNodes.parse(JSON.readTree("[{\"node-name\":\"bp-vda-format\",\"dirty-bitmaps\":"
                + "[{\"name\":\"b1\",\"recording\":false,\"persistent\":true,\"inconsistent\":true,\"granularity\":65536}]}]"));
        assertThatThrownBy(() -> plan(PUSH_INC, null, inconsistent))
                .isInstanceOfSatisfying(BackpointException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_INCONSISTENT));
    }

    @Test
    void rawIncrementalAndNonQcow2ScratchAreRefused() {
        String rawInc = "<domainbackup><incremental>b1</incremental><disks><disk name='vda' type='file'>"
                + "<driver type='raw'/><target file='/x/t.raw'/></disk></disks></domainbackup>";
        assertThatThrownBy(() -> plan(rawInc, null, nodesUnchecked("b1")))
                .isInstanceOfSatisfying(BackpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_UNSUPPORTED);
                    assertThat(e.getMessage()).contains("'vda'").contains("qcow2");
                });
        // The schema already refuses this in user documents; the planner refuses it for any caller.
        BackupDef pull = BackupAlign.align(BackupXml.parse("<domainbackup mode='pull'><server transport='unix' socket='/s'/>"
                + "<disks><disk name='vda'/></disks></domainbackup>", null), DOMAIN, "S");
        BackupDef rawPull = pull.withDisk(pull.disk("vda").withDriverType(DiskFormat.RAW));
        assertThatThrownBy(() -> BackupPlanner.fill(rawPull, null))
                .isInstanceOfSatisfying(BackpointException.class, e -> assertThat(e.getMessage())
                        .contains("pull mode backup for disk 'vda' requires qcow2 driver"));
    }

    @Test
    void pullExportsShowDefaultsAndTcpWithoutPortHasNoPortYet() {
        BackupDef def = BackupAlign.align(BackupXml.parse("<domainbackup mode='pull'><incremental>b1</incremental>"
                + "<server name='127.0.0.1'/><disks><disk name='vda'/></disks></domainbackup>", null), DOMAIN, "S");
        BackupDef filled = BackupPlanner.fill(def, null);
        assertThat(filled.disk("vda").exportName()).isEqualTo("vda");
        assertThat(filled.disk("vda").exportBitmap()).isEqualTo("backup-vda");
        assertThat(filled.disk("vda").driverType()).isEqualTo(DiskFormat.QCOW2);
        assertThat(filled.disk("vdb").backup()).isFalse();
        JsonNode start = BackupPlanner.nbdServerStart(filled.server()).arguments();
        assertThat(start.toString()).isEqualTo("{\"addr\":{\"type\":\"inet\",\"data\":{\"host\":\"127.0.0.1\"}}}");
        assertThat(BackupPlanner.nbdServerStart(filled.server().withPort(10809)).arguments().path("addr").path("data")
                .path("port").asText()).isEqualTo("10809");
    }

    // ---- comparison with libvirt's traces ----

    @Test
    void pushFullMatchesLibvirt() throws Exception {
        compare("backup-begin-push-full", plan(PUSH_FULL, "b1", nodes()));
    }

    @Test
    void pushIncrementalMatchesLibvirt() throws Exception {
        compare("backup-begin-push-inc", plan(PUSH_INC, "b2", nodes("b1")));
    }

    @Test
    void pullFullMatchesLibvirt() throws Exception {
        compare("backup-begin-pull-full", plan(PULL_FULL, null, nodes()));
    }

    @Test
    void pullIncrementalMatchesLibvirt() throws Exception {
        compare("backup-begin-pull-inc", plan(PULL_INC, "b3", nodes("b2", "b1")));
    }

    /** The commands that change QEMU's block graph or start jobs (the ones the planner produces). */
    private static final List<String> PLANNED_COMMANDS = List.of("blockdev-add", "blockdev-create",
            "nbd-server-start", "transaction", "block-export-add");

    /**
     * libvirt's commands, with its numbered node names replaced by ours (the disk nodes by the
     * file they open; the target nodes by the disk whose job writes to them), must equal ours
     * command for command and byte for byte.
     */
    private static void compare(String trace, BackupPlan plan) throws Exception {
        var dir = QmpTraces.dir();
        assumeTrue(dir.isPresent(), "../shared/reference/qmp-traces not found; libvirt comparison skipped");
        List<QmpTraces.Entry> entries = QmpTraces.read(dir.get(), trace);
        List<ObjectNode> libvirt = QmpTraces.sentCommands(entries, PLANNED_COMMANDS);
        Map<String, String> names = new HashMap<>();
        for (JsonNode n : QmpTraces.firstNamedBlockNodes(entries, trace)) {
            String file = n.path("file").asText();
            String disk = file.substring(file.lastIndexOf('-') + 1, file.lastIndexOf('.'));
            String node = n.path("node-name").asText();
            names.put(node, node.endsWith("-format") ? "bp-" + disk + "-format" : "bp-" + disk + "-storage");
        }
        for (JsonNode m : libvirt) {
            if (m.path("execute").asText().equals("transaction")) {
                for (JsonNode a : m.path("arguments").path("actions")) {
                    JsonNode data = a.path("data");
                    if (a.path("type").asText().equals("blockdev-backup")) {
                        String disk = data.path("job-id").asText().split("-")[1];
                        String target = data.path("target").asText();
                        names.put(target, BackupNames.format(disk));
                        names.put(target.replace("-format", "-storage"), BackupNames.storage(disk));
                        names.put("create-" + target, BackupNames.createJob(BackupNames.format(disk)));
                        names.put("create-" + target.replace("-format", "-storage"),
                                BackupNames.createJob(BackupNames.storage(disk)));
                        names.put("libvirt-nbd-" + target, BackupNames.export(disk));
                        names.put(data.path("job-id").asText(), BackupNames.job(disk));
                    }
                }
            }
        }
        List<String> theirs = new ArrayList<>();
        for (JsonNode m : libvirt) {
            theirs.add(QmpTraces.rename(m, names).toString());
        }
        // The one planned difference: push targets are opened with page-cache bypass.
        List<String> ours = plan.steps().stream()
                .map(s -> BackupPlanner.directIo(s) ? BackupPlanner.withoutDirectIo(s) : s)
                .map(s -> s.toJson().toString()).toList();
        assertThat(ours).containsExactlyElementsOf(theirs);
    }

    private static BlockNodes nodesUnchecked(String... checkpoints) {
        try {
            return nodes(checkpoints);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void golden(String name, JsonNode actual) throws IOException {
        if (Boolean.getBoolean("backpoint.regenerate")) {
            Files.createDirectories(GOLDEN_SOURCE);
            Files.writeString(GOLDEN_SOURCE.resolve(name), JSON.writeValueAsString(actual) + "\n");
            return;
        }
        try (InputStream in = BackupPlannerTest.class.getResourceAsStream("/golden/backup/" + name)) {
            assertThat(in).as("golden file %s", name).isNotNull();
            assertThat(JSON.writeValueAsString(actual)).isEqualTo(JSON.writeValueAsString(JSON.readTree(in)));
        }
    }
}
