package io.backpoint.qemu.block;

import io.backpoint.qemu.qmp.QmpCommands;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.backpoint.qemu.testing.QmpTraces;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Planner output against what libvirt 9.0 sent to QEMU 7.2 for the same operation, node names
 * translated. Skipped, with a message, when ../shared is not beside the checkout.
 */
class PlannerTraceTest {
    private Path dir;
    private Map<String, String> names;

    @BeforeEach
    void locate() throws Exception {
        var found = QmpTraces.dir();
        assumeTrue(found.isPresent(), "../shared/reference/qmp-traces not found; libvirt trace comparison skipped");
        dir = found.get();
        // The create traces carry no query of their own; the same QEMU's SIZE trace names the nodes.
        names = new HashMap<>(QmpTraces.nodeNames(
                QmpTraces.namedBlockNodes(QmpTraces.read(dir, "checkpoint-dumpxml-size"))));
        names.put("libvirt-tmp-size-xml", SizePlanner.TEMP_BITMAP);
        assertThat(names).containsEntry("libvirt-2-format", "bp-vda-format")
                .containsEntry("libvirt-1-format", "bp-vdb-format");
    }

    private static Map<String, List<String>> topOnly(String... disks) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String d : disks) {
            m.put(d, List.of(BlockNodeNames.format(d)));
        }
        return m;
    }

    /** Textual comparison: key order and number spelling must match libvirt's too. */
    private static void assertSameJson(JsonNode ours, JsonNode libvirts) {
        assertThat(ours.toString()).isEqualTo(libvirts.toString());
    }

    private JsonNode translated(JsonNode libvirt) {
        return QmpTraces.rename(libvirt, names);
    }

    @ParameterizedTest
    @CsvSource({"checkpoint-create, cp1, vda vdb", "checkpoint-create-one-disk, cp2, vda",
        "checkpoint-create-3rd, cp3, vda vdb", "checkpoint-create-4th, cp4, vda vdb"})
    void createMatchesLibvirt(String trace, String checkpoint, String disks) throws Exception {
        List<JsonNode> tx = QmpTraces.sent(QmpTraces.read(dir, trace), "transaction");
        assertThat(tx).hasSize(1);
        List<String> tops = List.of(disks.split(" ")).stream().map(BlockNodeNames::format).toList();
        assertSameJson(QmpCommands.transaction(CheckpointPlanner.create(checkpoint, tops)).arguments(), translated(tx.get(0)));
    }

    @ParameterizedTest
    @CsvSource({"checkpoint-delete-root, cp1", "checkpoint-delete-leaf, cp4", "checkpoint-delete-middle, cp2",
        "checkpoint-delete-inconsistent, b3"})
    void deleteMatchesLibvirt(String trace, String checkpoint) throws Exception {
        var entries = QmpTraces.read(dir, trace);
        List<JsonNode> tx = QmpTraces.sent(entries, "transaction");
        assertThat(tx).hasSize(1);
        BlockNodes nodes = BlockNodes.parse(translated(QmpTraces.namedBlockNodes(entries).get(0)));
        CheckpointPlanner.DeletePlan plan = CheckpointPlanner.delete(checkpoint, topOnly("vda", "vdb"), nodes);
        assertSameJson(QmpCommands.transaction(plan.actions()).arguments(), translated(tx.get(0)));
    }

    @Test
    void deleteWithChildrenRemovesChildThenParentLikeLibvirt() throws Exception {
        var entries = QmpTraces.read(dir, "checkpoint-delete-children");
        List<JsonNode> tx = QmpTraces.sent(entries, "transaction");
        List<JsonNode> queries = QmpTraces.namedBlockNodes(entries);
        assertThat(tx).hasSize(2);
        String[] order = {"cp5", "cp3"};
        for (int i = 0; i < 2; i++) {
            BlockNodes nodes = BlockNodes.parse(translated(queries.get(i)));
            var plan = CheckpointPlanner.delete(order[i], topOnly("vda", "vdb"), nodes);
            assertSameJson(QmpCommands.transaction(plan.actions()).arguments(), translated(tx.get(i)));
            assertThat(plan.disksWithoutBitmap()).isEmpty();
        }
    }

    @Test
    void sizeMatchesLibvirt() throws Exception {
        var entries = QmpTraces.read(dir, "checkpoint-dumpxml-size");
        List<JsonNode> tx = QmpTraces.sent(entries, "transaction");
        List<JsonNode> queries = QmpTraces.namedBlockNodes(entries);
        assertThat(tx).hasSize(2);
        BlockNodes before = BlockNodes.parse(translated(queries.get(0)));
        SizePlanner.Plan plan = SizePlanner.plan("cp2", topOnly("vda", "vdb"), before);
        assertThat(plan.stale()).isEmpty();
        assertSameJson(QmpCommands.transaction(plan.prepare()).arguments(), translated(tx.get(0)));
        assertSameJson(QmpCommands.transaction(plan.cleanup()).arguments(), translated(tx.get(1)));
        Map<String, Long> sizes = SizePlanner.read(plan, BlockNodes.parse(translated(queries.get(1))));
        assertThat(sizes).containsOnlyKeys("vda");
        // With one layer the merge equals the bitmap itself.
        assertThat(before.bitmap("bp-vda-format", "cp2").orElseThrow().count()).isEqualTo(sizes.get("vda"));
    }

    @Test
    void bitmapsAfterCrashAreInconsistent() throws Exception {
        var entries = QmpTraces.read(dir, "backup-begin-inconsistent");
        Map<String, String> local = new HashMap<>(names);
        local.putAll(QmpTraces.nodeNames(QmpTraces.namedBlockNodes(entries)));
        BlockNodes nodes = BlockNodes.parse(QmpTraces.rename(QmpTraces.namedBlockNodes(entries).get(0), local));
        for (String b : List.of("b1", "b2", "b3")) {
            assertThat(BitmapValidity.check("bp-vda-format", b, nodes).problem())
                    .isEqualTo(BitmapProblem.INCONSISTENT);
        }
        // A healthy session of the same kind: all valid.
        var healthy = QmpTraces.read(dir, "checkpoint-delete-root");
        BlockNodes ok = BlockNodes.parse(translated(QmpTraces.namedBlockNodes(healthy).get(0)));
        assertThat(BitmapValidity.check("bp-vdb-format", "cp1", ok).valid()).isTrue();
    }
}
