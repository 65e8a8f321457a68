package io.backpoint.qemu.block;

import io.backpoint.qemu.qmp.QmpCommands;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerGoldenTest {
    private static final String VDA = BlockNodeNames.format("vda");
    private static final String VDB = BlockNodeNames.format("vdb");

    private static Map<String, List<String>> topOnly(String... disks) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String d : disks) {
            m.put(d, List.of(BlockNodeNames.format(d)));
        }
        return m;
    }

    private static Map<String, List<String>> withBase(String... disks) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String d : disks) {
            m.put(d, List.of(BlockNodeNames.format(d), "bp-" + d + "-base"));
        }
        return m;
    }

    private static ObjectNode deleteJson(CheckpointPlanner.DeletePlan plan) {
        ObjectNode o = Golden.JSON.createObjectNode();
        o.set("transaction", QmpCommands.transaction(plan.actions()).arguments());
        ArrayNode missing = o.putArray("disksWithoutBitmap");
        plan.disksWithoutBitmap().forEach(missing::add);
        return o;
    }

    private static ObjectNode sizeJson(SizePlanner.Plan plan) {
        ObjectNode o = Golden.JSON.createObjectNode();
        o.set("stale", QmpCommands.transaction(plan.stale()).arguments());
        o.set("prepare", QmpCommands.transaction(plan.prepare()).arguments());
        o.set("cleanup", QmpCommands.transaction(plan.cleanup()).arguments());
        o.set("topNodes", Golden.JSON.valueToTree(new java.util.TreeMap<>(plan.topNodes())));
        return o;
    }

    @Test
    void nodeNamesAreStable() {
        assertThat(BlockNodeNames.format("vda")).isEqualTo("bp-vda-format");
        assertThat(BlockNodeNames.storage("vdb")).isEqualTo("bp-vdb-storage");
    }

    @Test
    void createTwoDisks() throws Exception {
        List<ObjectNode> actions = CheckpointPlanner.create("cp1", List.of(VDA, VDB));
        Golden.check("checkpoint-create-two-disks.json", QmpCommands.transaction(actions).arguments());
        for (ObjectNode a : actions) {
            assertThat(a.get("type").asText()).isEqualTo("block-dirty-bitmap-add");
            assertThat(a.get("data").get("persistent").asBoolean()).isTrue();
            assertThat(a.get("data").get("disabled").asBoolean()).isFalse();
            assertThat(a.get("data").has("granularity")).isFalse();
        }
    }

    @Test
    void createOneDisk() throws Exception {
        Golden.check("checkpoint-create-one-disk.json",
                QmpCommands.transaction(CheckpointPlanner.create("cp2", List.of(VDA))).arguments());
    }

    @Test
    void createWithoutDisksIsRefused() {
        assertThatThrownBy(() -> CheckpointPlanner.create("cp1", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deleteRemovesOnlyWhereTheBitmapIs() throws Exception {
        BlockNodes nodes = Golden.nodes("nodes-two-disks.json");
        CheckpointPlanner.DeletePlan cp2 = CheckpointPlanner.delete("cp2", topOnly("vda", "vdb"), nodes);
        Golden.check("checkpoint-delete-cp2.json", deleteJson(cp2));
        assertThat(cp2.disksWithoutBitmap()).containsExactly("vdb");
        Golden.check("checkpoint-delete-cp1.json",
                deleteJson(CheckpointPlanner.delete("cp1", topOnly("vda", "vdb"), nodes)));
    }

    @Test
    void deleteOfInconsistentBitmapStillRemovesIt() throws Exception {
        CheckpointPlanner.DeletePlan plan =
                CheckpointPlanner.delete("cp1", topOnly("vda", "vdb"), Golden.nodes("nodes-after-crash.json"));
        Golden.check("checkpoint-delete-after-crash.json", deleteJson(plan));
        assertThat(plan.actions()).hasSize(2);
    }

    @Test
    void deleteCoversEveryLayerOfTheChain() throws Exception {
        CheckpointPlanner.DeletePlan plan =
                CheckpointPlanner.delete("cp1", withBase("vda", "vdb"), Golden.nodes("nodes-backing-chain.json"));
        Golden.check("checkpoint-delete-chain.json", deleteJson(plan));
        assertThat(plan.actions()).extracting(a -> a.get("data").get("node").asText())
                .containsExactly(VDA, "bp-vda-base", "bp-vdb-base");
        assertThat(plan.disksWithoutBitmap()).isEmpty();
    }

    /** What QEMU reports after the prepare transaction: each temporary bitmap with its merged count. */
    private static BlockNodes nodesWithTemp(BlockNodes nodes, SizePlanner.Plan plan) throws Exception {
        com.fasterxml.jackson.databind.node.ArrayNode arr = new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode();
        for (Map.Entry<String, String> e : plan.topNodes().entrySet()) {
            long count = nodes.bitmap(e.getValue(), "cp1").orElseThrow().count();
            ObjectNode n = arr.addObject().put("node-name", e.getValue());
            n.putArray("dirty-bitmaps").addObject().put("name", SizePlanner.TEMP_BITMAP).put("count", count);
        }
        return BlockNodes.parse(arr);
    }

    @Test
    void sizeSingleLayer() throws Exception {
        BlockNodes nodes = Golden.nodes("nodes-two-disks.json");
        SizePlanner.Plan plan = SizePlanner.plan("cp1", topOnly("vda", "vdb", "vdc"), nodes);
        Golden.check("size-two-disks.json", sizeJson(plan));
        assertThat(plan.topNodes()).containsOnlyKeys("vda", "vdb");
        assertThat(SizePlanner.read(plan, nodesWithTemp(nodes, plan))).containsEntry("vda", 3145728L);
    }

    @Test
    void sizeMergesAcrossLayersAndDropsLeftovers() throws Exception {
        SizePlanner.Plan plan = SizePlanner.plan("cp1", withBase("vda", "vdb"), Golden.nodes("nodes-backing-chain.json"));
        Golden.check("size-backing-chain.json", sizeJson(plan));
        assertThat(plan.stale()).extracting(a -> a.get("type").asText()).containsExactly("block-dirty-bitmap-remove");
        assertThat(plan.prepare().get(0).get("type").asText()).isEqualTo("block-dirty-bitmap-add");
        assertThat(plan.topNodes()).containsOnlyKeys("vda");
    }

    @Test
    void sizeIsReadFromTheTemporaryBitmap() throws Exception {
        SizePlanner.Plan plan = SizePlanner.plan("cp1", withBase("vda"), Golden.nodes("nodes-backing-chain.json"));
        // The fixture's leftover temporary bitmap stands in for the filled one.
        assertThat(SizePlanner.read(plan, Golden.nodes("nodes-backing-chain.json"))).containsExactly(Map.entry("vda", 7L));
        assertThat(SizePlanner.read(plan, Golden.nodes("nodes-two-disks.json"))).isEmpty();
    }

    @Test
    void sizeAfterCrashHasNothingToMeasure() throws Exception {
        SizePlanner.Plan plan = SizePlanner.plan("cp1", topOnly("vda", "vdb"), Golden.nodes("nodes-after-crash.json"));
        assertThat(plan.prepare()).isEmpty();
        assertThat(plan.cleanup()).isEmpty();
    }

    @Test
    void validityRules() throws Exception {
        BlockNodes two = Golden.nodes("nodes-two-disks.json");
        BlockNodes crash = Golden.nodes("nodes-after-crash.json");
        BlockNodes chain = Golden.nodes("nodes-backing-chain.json");
        ObjectNode table = Golden.JSON.createObjectNode();
        record Case(String label, BlockNodes nodes, List<String> chain, String bitmap) {}
        List<Case> cases = List.of(
                new Case("two-disks vda cp1", two, List.of(VDA), "cp1"),
                new Case("two-disks vdb cp2", two, List.of(VDB), "cp2"),
                new Case("two-disks vdc cp1 (raw)", two, List.of("bp-vdc-format"), "cp1"),
                new Case("after-crash vda cp1", crash, List.of(VDA), "cp1"),
                new Case("chain vda cp1", chain, List.of(VDA, "bp-vda-base"), "cp1"),
                new Case("chain vda cp0", chain, List.of(VDA, "bp-vda-base"), "cp0"),
                new Case("chain vdb cp0", chain, List.of(VDB, "bp-vdb-base"), "cp0"),
                new Case("chain vdb cp1", chain, List.of(VDB, "bp-vdb-base"), "cp1"),
                new Case("3-layer gap cp0", chain, List.of(VDB, VDA, "bp-vda-base"), "cp0"),
                new Case("chain vda tmp", chain, List.of(VDA, "bp-vda-base"), SizePlanner.TEMP_BITMAP));
        for (Case c : cases) {
            BitmapValidity.Result r = BitmapValidity.check(c.chain(), c.bitmap(), c.nodes());
            table.put(c.label(), r.valid() ? "VALID" : r.problem() + " at " + r.node());
        }
        Golden.check("bitmap-validity.json", table);
        assertThat(table.get("two-disks vda cp1").asText()).isEqualTo("VALID");
        assertThat(table.get("after-crash vda cp1").asText()).startsWith("INCONSISTENT");
        assertThat(table.get("chain vdb cp0").asText()).isEqualTo("VALID");
        assertThat(table.get("chain vdb cp1").asText()).isEqualTo("MISSING_IN_TOP at bp-vdb-format");
        assertThat(table.get("3-layer gap cp0").asText()).isEqualTo("GAP_IN_CHAIN at bp-vda-base");
    }

    @Test
    void blockNodesParsingToleratesMissingFieldsButNotNonArrays() throws Exception {
        JsonNode odd = Golden.JSON.readTree("[{\"node-name\": \"n\", \"dirty-bitmaps\": [{\"name\": \"b\"}]}, {\"drv\": \"file\"}]");
        BlockNodes nodes = BlockNodes.parse(odd);
        assertThat(nodes.bitmap("n", "b")).hasValueSatisfying(b -> assertThat(b.persistent()).isFalse());
        assertThat(BitmapValidity.check("n", "b", nodes).problem()).isEqualTo(BitmapProblem.NOT_PERSISTENT);
        assertThatThrownBy(() -> BlockNodes.parse(Golden.JSON.readTree("{}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an array");
    }
}
