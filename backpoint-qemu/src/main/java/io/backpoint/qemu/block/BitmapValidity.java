package io.backpoint.qemu.block;

import java.util.List;

/**
 * Whether a checkpoint's bitmap can be used for a backup or SIZE (libvirt's rule for a bitmap
 * chain): walking a disk's backing chain from the top, the bitmap must be in the top layer,
 * present in consecutive layers without gaps, and every copy persistent, recording and not
 * inconsistent.
 */
public final class BitmapValidity {
    private BitmapValidity() {}

    /** The usable result. */
    private static final Result VALID = new Result(null, null);

    /**
     * @param problem the first rule broken, or null when the bitmap is usable
     * @param node the node where it was broken, or null when valid
     */
    public record Result(BitmapProblem problem, String node) {
        public boolean valid() {
            return problem == null;
        }
    }

    /**
     * Checks bitmap {@code name} along {@code chain} (format node names, top first).
     */
    public static Result check(List<String> chain, String name, BlockNodes nodes) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("empty backing chain");
        }
        boolean ended = false;
        for (String node : chain) {
            var found = nodes.bitmap(node, name);
            if (found.isEmpty()) {
                if (node.equals(chain.get(0))) {
                    return new Result(BitmapProblem.MISSING_IN_TOP, node);
                }
                ended = true;
                continue;
            }
            if (ended) {
                return new Result(BitmapProblem.GAP_IN_CHAIN, node);
            }
            BitmapState b = found.get();
            // Inconsistent first: an inconsistent bitmap is also not recording, and the
            // inconsistency is the cause the user must act on.
            if (b.inconsistent()) {
                return new Result(BitmapProblem.INCONSISTENT, node);
            }
            if (!b.persistent()) {
                return new Result(BitmapProblem.NOT_PERSISTENT, node);
            }
            if (!b.recording()) {
                return new Result(BitmapProblem.NOT_RECORDING, node);
            }
        }
        return VALID;
    }

    /** Shorthand for a disk whose chain is just its top node (tests). */
    public static Result check(String topNode, String name, BlockNodes nodes) {
        return check(List.of(topNode), name, nodes);
    }
}
