package io.backpoint.qemu.qmp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The plain commands the planners put in their step lists, spelled once as QEMU's QAPI schema
 * spells them. Block-layer actions and the backup's image steps are spelled by their planners
 * ({@code block.BlockActions}, {@code backup.BackupPlanner}).
 */
public final class QmpCommands {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private QmpCommands() {}

    /** {@code query-named-block-nodes} in flat mode: every node once, backing images not nested. */
    public static QmpStep queryNamedBlockNodes() {
        return new QmpStep("query-named-block-nodes", F.objectNode().put("flat", true));
    }

    /** {@code query-status}: whether the vCPUs run, and QEMU's run state. */
    public static QmpStep queryStatus() {
        return new QmpStep("query-status", null);
    }

    public static QmpStep queryJobs() {
        return new QmpStep("query-jobs", null);
    }

    public static QmpStep jobDismiss(String id) {
        return new QmpStep("job-dismiss", F.objectNode().put("id", id));
    }

    /** {@code block-job-cancel}; {@code force} also cancels a job that is paused or ready. */
    public static QmpStep blockJobCancel(String device, boolean force) {
        return new QmpStep("block-job-cancel", F.objectNode().put("device", device).put("force", force));
    }

    public static QmpStep blockdevDel(String nodeName) {
        return new QmpStep("blockdev-del", F.objectNode().put("node-name", nodeName));
    }

    public static QmpStep nbdServerStop() {
        return new QmpStep("nbd-server-stop", null);
    }

    /** Runs actions ({@code {type, data}} objects, as the planners make them) atomically. */
    public static QmpStep transaction(List<ObjectNode> actions) {
        ObjectNode args = F.objectNode();
        ArrayNode arr = args.putArray("actions");
        actions.forEach(arr::add);
        return new QmpStep("transaction", args);
    }

    /** Asks QEMU to exit; it closes images cleanly first, which writes persistent bitmaps. */
    public static QmpStep quit() {
        return new QmpStep("quit", null);
    }

    /** ACPI power button: needs a guest that reacts, so it is a request, not a stop. */
    public static QmpStep systemPowerdown() {
        return new QmpStep("system_powerdown", null);
    }

    /** An HMP command line; its output comes back as text (HMP errors too, not as QMP errors). */
    public static QmpStep humanMonitorCommand(String commandLine) {
        return new QmpStep("human-monitor-command", F.objectNode().put("command-line", commandLine));
    }
}
