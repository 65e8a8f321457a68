package io.backpoint.qemu.backup;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.qemu.qmp.QmpCommands;
import java.util.ArrayList;
import io.backpoint.qemu.qmp.QmpStep;
import java.util.List;

/**
 * Everything a backup begin sends to QEMU, in libvirt's order: each disk's image is created and
 * attached, the NBD server starts (pull), one transaction creates the checkpoint's bitmaps, fills
 * the temporary bitmaps and starts every block job at the same instant, then the exports are added
 * (pull).
 *
 * @param disks one entry per backed-up disk, in document order
 * @param nbdServerStart the {@code nbd-server-start} arguments (pull), or null
 * @param transaction the actions of the one transaction
 */
record BackupPlan(List<DiskPlan> disks, QmpStep nbdServerStart, List<ObjectNode> transaction) {
    BackupPlan {
        disks = List.copyOf(disks);
        transaction = List.copyOf(transaction);
    }

    /** Every command in the order they run; what the golden files hold. */
    List<QmpStep> steps() {
        List<QmpStep> steps = new ArrayList<>();
        for (DiskPlan d : disks) {
            steps.addAll(d.prepare());
        }
        if (nbdServerStart != null) {
            steps.add(nbdServerStart);
        }
        steps.add(transactionStep());
        for (DiskPlan d : disks) {
            if (d.export() != null) {
                steps.add(d.export());
            }
        }
        return steps;
    }

    /** The one transaction: the checkpoint's bitmaps, the temporary bitmaps, every block job. */
    QmpStep transactionStep() {
        return QmpCommands.transaction(transaction);
    }

    /** The steps as a JSON array, for golden tests. */
    ArrayNode toJson() {
        ArrayNode arr = JsonNodeFactory.instance.arrayNode();
        steps().forEach(s -> arr.add(s.toJson()));
        return arr;
    }
}
