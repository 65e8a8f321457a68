package io.backpoint.qemu.block;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pure planning of checkpoint create and delete as QMP transaction actions. Inputs are the
 * checkpoint's bitmap name and its participating disks in domain order; outputs are action
 * lists for one {@code transaction}, so every disk changes at the same instant or none does.
 */
public final class CheckpointPlanner {
    private CheckpointPlanner() {}

    /**
     * One persistent, enabled bitmap named after the checkpoint on each disk's top format node,
     * at QEMU's default granularity (what libvirt sends).
     *
     * @param topNodes the top format node of each participating disk, in domain order
     */
    public static List<ObjectNode> create(String bitmap, List<String> topNodes) {
        if (topNodes.isEmpty()) {
            throw new IllegalArgumentException("a checkpoint needs at least one disk");
        }
        List<ObjectNode> actions = new ArrayList<>();
        for (String node : topNodes) {
            actions.add(BlockActions.bitmapAdd(node, bitmap, true, false, null));
        }
        return actions;
    }

    /**
     * @param actions the removals to run in one transaction (may be empty)
     * @param disksWithoutBitmap disks where no layer has the bitmap: the image and the
     *     metadata disagree, which the caller reports (or ignores for a metadata-only delete)
     */
    public record DeletePlan(List<ObjectNode> actions, List<String> disksWithoutBitmap) {
        public DeletePlan {
            actions = List.copyOf(actions);
            disksWithoutBitmap = List.copyOf(disksWithoutBitmap);
        }
    }

    /**
     * Removes the checkpoint's bitmap from every layer of each disk's chain that has it; nothing
     * is merged anywhere, since every bitmap records on its own.
     *
     * @param chains each participating disk's format nodes, top first, in domain order
     */
    public static DeletePlan delete(String bitmap, Map<String, List<String>> chains, BlockNodes nodes) {
        List<ObjectNode> actions = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, List<String>> disk : chains.entrySet()) {
            boolean found = false;
            for (String node : disk.getValue()) {
                if (nodes.bitmap(node, bitmap).isPresent()) {
                    actions.add(BlockActions.bitmapRemove(node, bitmap));
                    found = true;
                }
            }
            if (!found) {
                missing.add(disk.getKey());
            }
        }
        return new DeletePlan(actions, missing);
    }
}
