package io.backpoint.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Typed QMP: one method per command that checkpoints and backups use. Arguments are spelled as
 * QEMU's QAPI schema spells them; results come back as records or, where the caller needs the
 * whole structure (block nodes), as JSON.
 */
public final class QmpClient implements Closeable {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Duration JOB_POLL = Duration.ofMillis(5);

    private final QmpConnection conn;

    public QmpClient(QmpConnection conn) {
        this.conn = Objects.requireNonNull(conn, "conn");
    }

    public QmpConnection connection() {
        return conn;
    }

    /** A bitmap named as a merge source: {@code {node, name}}. */
    public record BitmapRef(String node, String name) {}

    public VmStatus queryStatus() throws IOException {
        JsonNode r = conn.execute("query-status", null);
        return new VmStatus(r.path("status").asText(), r.path("running").asBoolean());
    }

    /** {@code query-named-block-nodes} in flat mode: every node once, backing images not nested. */
    public ArrayNode queryNamedBlockNodes() throws IOException {
        ObjectNode args = F.objectNode().put("flat", true);
        JsonNode r = conn.execute("query-named-block-nodes", args);
        if (!r.isArray()) {
            throw new QmpProtocolException("query-named-block-nodes did not return an array");
        }
        return (ArrayNode) r;
    }

    /** Runs actions ({@code {type, data}} objects, as the planners make them) atomically. */
    public void transaction(List<? extends JsonNode> actions) throws IOException {
        ArrayNode arr = F.arrayNode();
        actions.forEach(arr::add);
        conn.execute("transaction", F.objectNode().set("actions", arr));
    }

    /** @param granularity bytes, or null for QEMU's default (the cluster size, clamped to 4-64 KiB) */
    public void blockDirtyBitmapAdd(String node, String name, boolean persistent, boolean disabled, Integer granularity)
            throws IOException {
        ObjectNode args = F.objectNode().put("node", node).put("name", name)
                .put("persistent", persistent).put("disabled", disabled);
        if (granularity != null) {
            args.put("granularity", granularity);
        }
        conn.execute("block-dirty-bitmap-add", args);
    }

    public void blockDirtyBitmapRemove(String node, String name) throws IOException {
        conn.execute("block-dirty-bitmap-remove", F.objectNode().put("node", node).put("name", name));
    }

    /** @throws IllegalArgumentException for an empty source list, on which QEMU 7.2 crashes */
    public void blockDirtyBitmapMerge(String node, String target, List<BitmapRef> sources) throws IOException {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("block-dirty-bitmap-merge needs at least one source bitmap");
        }
        ArrayNode bitmaps = F.arrayNode();
        for (BitmapRef b : sources) {
            bitmaps.addObject().put("node", b.node()).put("name", b.name());
        }
        ObjectNode args = F.objectNode().put("node", node).put("target", target);
        args.set("bitmaps", bitmaps);
        conn.execute("block-dirty-bitmap-merge", args);
    }

    /** {@code blockdev-add} with a complete BlockdevOptions object. */
    public void blockdevAdd(ObjectNode options) throws IOException {
        conn.execute("blockdev-add", options);
    }

    public void blockdevDel(String nodeName) throws IOException {
        conn.execute("blockdev-del", F.objectNode().put("node-name", nodeName));
    }

    /**
     * Runs {@code blockdev-create} and waits until the job concludes, then dismisses it (as
     * libvirt does). A job that ends with an error is reported as a QmpException of the command.
     */
    public void blockdevCreate(String jobId, ObjectNode options, Duration timeout) throws IOException {
        ObjectNode args = F.objectNode().put("job-id", jobId);
        args.set("options", options);
        conn.execute("blockdev-create", args);
        QmpJob job = awaitConcluded(jobId, timeout);
        jobDismiss(jobId);
        if (job.error() != null) {
            throw new QmpException("blockdev-create", "GenericError", job.error());
        }
    }

    /** Polls {@code query-jobs} until the job concludes. */
    public QmpJob awaitConcluded(String jobId, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            QmpJob job = findJob(jobId);
            if (job == null) {
                throw new QmpException("query-jobs", "DeviceNotFound", "job '" + jobId + "' not found");
            }
            if (job.concluded()) {
                return job;
            }
            if (System.nanoTime() > deadline) {
                throw new QmpTimeoutException("job '" + jobId + "' did not conclude within " + timeout.toMillis()
                        + " ms (status " + job.status() + ")");
            }
            try {
                Thread.sleep(JOB_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for job '" + jobId + "'");
            }
        }
    }

    private QmpJob findJob(String jobId) throws IOException {
        for (QmpJob j : queryJobs()) {
            if (j.id().equals(jobId)) {
                return j;
            }
        }
        return null;
    }

    public List<QmpJob> queryJobs() throws IOException {
        JsonNode r = conn.execute("query-jobs", null);
        List<QmpJob> jobs = new ArrayList<>();
        for (JsonNode j : r) {
            jobs.add(new QmpJob(j.path("id").asText(), j.path("type").asText(), j.path("status").asText(),
                    j.path("current-progress").asLong(), j.path("total-progress").asLong(),
                    j.hasNonNull("error") ? j.get("error").asText() : null));
        }
        return jobs;
    }

    public void jobDismiss(String id) throws IOException {
        conn.execute("job-dismiss", F.objectNode().put("id", id));
    }

    public void jobCancel(String id) throws IOException {
        conn.execute("job-cancel", F.objectNode().put("id", id));
    }

    /** {@code block-job-cancel}; {@code force} also cancels a job that is paused or ready. */
    public void blockJobCancel(String device, boolean force) throws IOException {
        conn.execute("block-job-cancel", F.objectNode().put("device", device).put("force", force));
    }

    /** Starts QEMU's NBD server on a unix socket. */
    public void nbdServerStartUnix(String path) throws IOException {
        ObjectNode addr = F.objectNode().put("type", "unix");
        addr.putObject("data").put("path", path);
        conn.execute("nbd-server-start", F.objectNode().set("addr", addr));
    }

    /** Starts QEMU's NBD server on TCP. */
    public void nbdServerStartTcp(String host, int port) throws IOException {
        ObjectNode addr = F.objectNode().put("type", "inet");
        addr.putObject("data").put("host", host).put("port", Integer.toString(port));
        conn.execute("nbd-server-start", F.objectNode().set("addr", addr));
    }

    public void nbdServerStop() throws IOException {
        conn.execute("nbd-server-stop", null);
    }

    /**
     * Exports a node over the running NBD server.
     *
     * @param bitmaps dirty bitmaps on the node to offer as {@code qemu:dirty-bitmap:NAME}
     */
    public void blockExportAddNbd(String id, String nodeName, String exportName, boolean writable, List<String> bitmaps)
            throws IOException {
        ObjectNode args = F.objectNode().put("type", "nbd").put("id", id).put("node-name", nodeName)
                .put("writable", writable).put("name", exportName);
        if (!bitmaps.isEmpty()) {
            ArrayNode b = args.putArray("bitmaps");
            bitmaps.forEach(b::add);
        }
        conn.execute("block-export-add", args);
    }

    /** @param force drop connected clients rather than fail while they are connected */
    public void blockExportDel(String id, boolean force) throws IOException {
        ObjectNode args = F.objectNode().put("id", id);
        if (force) {
            args.put("mode", "hard");
        }
        conn.execute("block-export-del", args);
    }

    /** Runs an HMP command; returns its output text (HMP errors come back as text, not QMP errors). */
    public String humanMonitorCommand(String commandLine) throws IOException {
        return conn.execute("human-monitor-command", F.objectNode().put("command-line", commandLine)).asText();
    }

    /** Asks QEMU to exit; it closes images cleanly first, which writes persistent bitmaps. */
    public void quit() throws IOException {
        try {
            conn.execute("quit", null);
        } catch (QmpDisconnectedException e) {
            // QEMU may close the socket before the reply reaches us: that is success.
        }
    }

    /** ACPI power button: needs a guest that reacts, so it is a request, not a stop. */
    public void systemPowerdown() throws IOException {
        conn.execute("system_powerdown", null);
    }

    @Override
    public void close() {
        conn.close();
    }
}
