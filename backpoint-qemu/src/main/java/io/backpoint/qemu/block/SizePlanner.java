package io.backpoint.qemu.block;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SIZE of a checkpoint on each disk: how many bytes were written since it was taken.
 *
 * <p>As libvirt does, for a chain of any length (a single image is a chain of one): a temporary
 * disabled bitmap on the top node, one merge from every layer that has the bitmap, a second
 * {@code query-named-block-nodes}, then removal: {@link #plan}.
 */
public final class SizePlanner {
    /** Backpoint's temporary bitmap for SIZE (libvirt's is libvirt-tmp-size-xml). */
    public static final String TEMP_BITMAP = "bp-tmp-size-xml";

    private SizePlanner() {}

    /**
     * @param stale removals of temporary bitmaps an interrupted run left behind, for a
     *     transaction of their own before {@code prepare} (QEMU need not accept a remove and an
     *     add of the same name in one transaction)
     * @param prepare actions for one transaction adding and filling the temporary bitmaps;
     *     empty when no disk has a valid chain
     * @param cleanup actions for one transaction removing the temporary bitmaps
     * @param topNodes the node holding the temporary bitmap of each disk that will get a size
     */
    public record Plan(List<ObjectNode> stale, List<ObjectNode> prepare, List<ObjectNode> cleanup,
            Map<String, String> topNodes) {
        public Plan {
            stale = List.copyOf(stale);
            prepare = List.copyOf(prepare);
            cleanup = List.copyOf(cleanup);
            topNodes = Map.copyOf(topNodes);
        }
    }

    /**
     * Plans the merge for each disk whose bitmap chain is valid; disks with an invalid chain get
     * no size, as in libvirt.
     *
     * @param chains each disk's format nodes, top first, in domain order
     */
    public static Plan plan(String bitmap, Map<String, List<String>> chains, BlockNodes nodes) {
        List<ObjectNode> stale = new ArrayList<>();
        List<ObjectNode> prepare = new ArrayList<>();
        List<ObjectNode> cleanup = new ArrayList<>();
        Map<String, String> tops = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> disk : chains.entrySet()) {
            List<String> chain = disk.getValue();
            if (!BitmapValidity.check(chain, bitmap, nodes).valid()) {
                continue;
            }
            String top = chain.get(0);
            if (nodes.bitmap(top, TEMP_BITMAP).isPresent()) {
                stale.add(BlockActions.bitmapRemove(top, TEMP_BITMAP));
            }
            List<BlockActions.Source> sources = new ArrayList<>();
            for (String node : chain) {
                if (nodes.bitmap(node, bitmap).isPresent()) {
                    sources.add(new BlockActions.Source(node, bitmap));
                }
            }
            long granularity = nodes.bitmap(top, bitmap).orElseThrow().granularity();
            prepare.add(BlockActions.bitmapAdd(top, TEMP_BITMAP, false, true, granularity));
            prepare.add(BlockActions.bitmapMerge(top, TEMP_BITMAP, sources));
            cleanup.add(BlockActions.bitmapRemove(top, TEMP_BITMAP));
            tops.put(disk.getKey(), top);
        }
        return new Plan(stale, prepare, cleanup, tops);
    }

    /** Reads each disk's size from the temporary bitmaps after the prepare transaction ran. */
    public static Map<String, Long> read(Plan plan, BlockNodes after) {
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : plan.topNodes().entrySet()) {
            after.bitmap(e.getValue(), TEMP_BITMAP).ifPresent(b -> sizes.put(e.getKey(), b.count()));
        }
        return sizes;
    }

}
