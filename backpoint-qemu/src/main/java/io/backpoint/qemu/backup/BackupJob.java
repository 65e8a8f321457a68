package io.backpoint.qemu.backup;

import io.backpoint.model.BackupDef;
import io.backpoint.model.BackupDiskDef;
import io.backpoint.model.BackupDiskState;
import io.backpoint.model.BackupMode;
import io.backpoint.model.BackupStore;
import io.backpoint.xml.XmlNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A backup job as its record in the state directory holds it: the definition with every default
 * filled in and each disk's state and node names (libvirt's internal backup XML), plus what a
 * later process needs to finish the job: when it began, what Backpoint created, whether the NBD
 * server runs, the final progress of sub-jobs that ended, the first error. A plain mutable object
 * owned by whoever holds the domain's lock.
 */
final class BackupJob {
    /** PREPARING until the transaction has started the block jobs; a PREPARING record left behind is a begin that died. */
    enum Phase {
        PREPARING("preparing"),
        RUNNING("running");

        final String xml;

        Phase(String xml) {
            this.xml = xml;
        }

        static Phase fromXml(String s) {
            for (Phase p : values()) {
                if (p.xml.equals(s)) {
                    return p;
                }
            }
            return null;
        }
    }

    /** The last progress QEMU reported for a sub-job, in bytes. */
    record Progress(long current, long total) {}

    BackupDef def;
    Phase phase;
    final long beginMillis;
    final boolean reuse;
    final String checkpoint;
    boolean nbdRunning;
    String socket;
    final List<String> created = new ArrayList<>();
    final Map<String, Progress> progress = new LinkedHashMap<>();
    /** Each backed-up disk's top image as it was at begin, for the records written beside push targets. */
    final Map<String, DiskSource> sources = new LinkedHashMap<>();
    String error;

    BackupJob(BackupDef def, Phase phase, long beginMillis, boolean reuse, String checkpoint) {
        this.def = def;
        this.phase = phase;
        this.beginMillis = beginMillis;
        this.reuse = reuse;
        this.checkpoint = checkpoint;
    }

    boolean pull() {
        return def.mode() == BackupMode.PULL;
    }

    /** The backed-up disks in the given states. */
    List<BackupDiskDef> disks(BackupDiskState... states) {
        List<BackupDiskDef> out = new ArrayList<>();
        for (BackupDiskDef d : def.backedUpDisks()) {
            for (BackupDiskState s : states) {
                if (d.state() == s) {
                    out.add(d);
                    break;
                }
            }
        }
        return out;
    }

    void setState(String disk, BackupDiskState state) {
        def = def.withDisk(def.disk(disk).withState(state));
    }

    void setAllStates(BackupDiskState state) {
        for (BackupDiskDef d : def.backedUpDisks()) {
            setState(d.name(), state);
        }
    }

    void recordError(String message) {
        if (error == null && message != null) {
            error = message;
        }
    }

    // ---- record form ----

    /** The definition with the job's own data in its privateData, for BackupXml.format(..., true). */
    BackupDef toDef() {
        List<XmlNode> children = new ArrayList<>();
        List<XmlNode.Attribute> attrs = new ArrayList<>();
        attrs.add(new XmlNode.Attribute("phase", phase.xml));
        attrs.add(new XmlNode.Attribute("begin", Long.toString(beginMillis)));
        attrs.add(new XmlNode.Attribute("reuse", reuse ? "yes" : "no"));
        if (checkpoint != null) {
            attrs.add(new XmlNode.Attribute("checkpoint", checkpoint));
        }
        attrs.add(new XmlNode.Attribute("nbd", nbdRunning ? "yes" : "no"));
        if (socket != null) {
            attrs.add(new XmlNode.Attribute("socket", socket));
        }
        children.add(new XmlNode("job", attrs, List.of(), null));
        for (String f : created) {
            children.add(new XmlNode("created", List.of(new XmlNode.Attribute("file", f)), List.of(), null));
        }
        for (Map.Entry<String, Progress> p : progress.entrySet()) {
            children.add(new XmlNode("progress", List.of(new XmlNode.Attribute("disk", p.getKey()),
                    new XmlNode.Attribute("current", Long.toString(p.getValue().current())),
                    new XmlNode.Attribute("total", Long.toString(p.getValue().total()))), List.of(), null));
        }
        for (DiskSource src : sources.values()) {
            children.add(new XmlNode("source", List.of(new XmlNode.Attribute("disk", src.disk()),
                    new XmlNode.Attribute("path", src.path()), new XmlNode.Attribute("format", src.format()),
                    new XmlNode.Attribute("size", Long.toString(src.virtualSize()))), List.of(), null));
        }
        if (error != null) {
            children.add(new XmlNode("error", List.of(), List.of(), error));
        }
        return def.withPrivateData(new XmlNode("privateData", List.of(), children, null));
    }

    /**
     * Reads a record back.
     *
     * @throws IllegalArgumentException when the job data is missing or malformed
     */
    static BackupJob fromDef(BackupDef def) {
        XmlNode data = def.privateData();
        XmlNode job = data == null ? null : data.child("job");
        if (job == null) {
            throw new IllegalArgumentException("no <privateData><job> element");
        }
        Phase phase = Phase.fromXml(job.attribute("phase"));
        if (phase == null) {
            throw new IllegalArgumentException("bad phase '" + job.attribute("phase") + "'");
        }
        BackupJob j = new BackupJob(def.withPrivateData(null), phase, parseLong(job, "begin"),
                "yes".equals(job.attribute("reuse")), job.attribute("checkpoint"));
        j.nbdRunning = "yes".equals(job.attribute("nbd"));
        j.socket = job.attribute("socket");
        // Backpoint creates nothing but a disk's target or scratch file: a record that lists any
        // other file (damaged, or written by someone else) must not make a later call delete it.
        java.util.Set<String> stores = new java.util.HashSet<>();
        for (io.backpoint.model.BackupDiskDef d : def.disks()) {
            if (d.store() != null && d.store().path() != null) {
                stores.add(d.store().path());
            }
        }
        for (XmlNode c : data.children("created")) {
            String file = c.attribute("file");
            if (file != null && stores.contains(file)) {
                j.created.add(file);
            }
        }
        for (XmlNode p : data.children("progress")) {
            j.progress.put(p.attribute("disk"), new Progress(parseLong(p, "current"), parseLong(p, "total")));
        }
        for (XmlNode src : data.children("source")) {
            j.sources.put(src.attribute("disk"), new DiskSource(src.attribute("disk"), src.attribute("path"),
                    src.attribute("format"), parseLong(src, "size")));
        }
        XmlNode error = data.child("error");
        j.error = error == null ? null : error.text();
        return j;
    }

    private static long parseLong(XmlNode node, String attr) {
        String v = node.attribute(attr);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad " + attr + " '" + v + "' in <" + node.name() + ">", e);
        }
    }

    /** The node names kept in a store's privateData, as libvirt's status XML keeps them. */
    static BackupStore withNodeNames(BackupStore store, String storageNode, String formatNode) {
        XmlNode nodenames = new XmlNode("nodenames", List.of(), List.of(
                new XmlNode("nodename", List.of(new XmlNode.Attribute("type", "storage"),
                        new XmlNode.Attribute("name", storageNode)), List.of(), null),
                new XmlNode("nodename", List.of(new XmlNode.Attribute("type", "format"),
                        new XmlNode.Attribute("name", formatNode)), List.of(), null)), null);
        return store.withPrivateData(new XmlNode("privateData", List.of(), List.of(nodenames), null));
    }

    /** A node name from a store's privateData ("storage" or "format"), or null. */
    static String nodeName(BackupStore store, String type) {
        XmlNode data = store == null ? null : store.privateData();
        XmlNode names = data == null ? null : data.child("nodenames");
        if (names == null) {
            return null;
        }
        for (XmlNode n : names.children("nodename")) {
            if (type.equals(n.attribute("type"))) {
                return n.attribute("name");
            }
        }
        return null;
    }
}
