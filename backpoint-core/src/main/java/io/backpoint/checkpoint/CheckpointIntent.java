package io.backpoint.checkpoint;

import io.backpoint.vocab.CheckpointDeleteFlag;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.util.SafeFileName;
import io.backpoint.model.CheckpointDef;
import io.backpoint.xml.CheckpointFormatFlag;
import io.backpoint.xml.CheckpointXml;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a checkpoint create or delete is about to do to the bitmaps, stored before it touches
 * them and removed once its metadata is written: a process killed in between leaves it, and the
 * next call on the domain settles it (see {@link CheckpointService}). A create leaves its full
 * definition (disks, so the bitmaps can be found); a delete its checkpoint and flags.
 *
 * @param create true for a create, false for a delete
 * @param name the checkpoint
 * @param def a create's aligned definition, or null for a delete
 * @param flags a delete's flags (empty for a create)
 */
record CheckpointIntent(boolean create, String name, CheckpointDef def, Set<CheckpointDeleteFlag> flags) {
    private static final String CREATE = "create";
    private static final String DELETE = "delete";

    static CheckpointIntent create(CheckpointDef def) {
        return new CheckpointIntent(true, def.name(), def, EnumSet.noneOf(CheckpointDeleteFlag.class));
    }

    static CheckpointIntent delete(String name, Set<CheckpointDeleteFlag> flags) {
        return new CheckpointIntent(false, name, null,
                flags.isEmpty() ? EnumSet.noneOf(CheckpointDeleteFlag.class) : EnumSet.copyOf(flags));
    }

    /** {@code create\n<checkpoint XML>} or {@code delete NAME MASK\n}. */
    String format() {
        if (create) {
            return CREATE + "\n" + CheckpointXml.format(def, EnumSet.of(CheckpointFormatFlag.SECURE));
        }
        return DELETE + " " + name + " " + CheckpointDeleteFlag.toMask(flags) + "\n";
    }

    static CheckpointIntent parse(String text) {
        try {
            int nl = text.indexOf('\n');
            String first = nl < 0 ? text : text.substring(0, nl);
            if (first.equals(CREATE)) {
                return create(CheckpointXml.parseState(text.substring(nl + 1)));
            }
            String[] words = first.split(" ");
            if (words.length == 3 && words[0].equals(DELETE)) {
                return delete(SafeFileName.require("checkpoint", words[1]),
                        CheckpointDeleteFlag.fromMask(Integer.parseInt(words[2])));
            }
        } catch (RuntimeException e) {
            throw new BackpointException(ErrorCode.INTERNAL_ERROR, "unreadable checkpoint intent: " + e.getMessage(), e);
        }
        throw new BackpointException(ErrorCode.INTERNAL_ERROR, "unreadable checkpoint intent: '" + text.strip() + "'");
    }
}
