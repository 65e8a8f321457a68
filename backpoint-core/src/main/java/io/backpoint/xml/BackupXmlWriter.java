package io.backpoint.xml;

import io.backpoint.model.BackupDef;
import io.backpoint.model.BackupDiskDef;
import io.backpoint.model.BackupDiskMode;
import io.backpoint.model.BackupDiskState;
import io.backpoint.model.BackupMode;
import io.backpoint.model.BackupServer;
import io.backpoint.model.BackupStore;
import io.backpoint.model.StoreType;
import io.backpoint.model.XmlNode;

/** Writes {@code <domainbackup>} in libvirt's order and layout (reference §3.3). */
final class BackupXmlWriter {
    private BackupXmlWriter() {}

    static String write(BackupDef def, boolean internal) {
        XmlWriter out = new XmlWriter();
        XmlWriter.Element root = new XmlWriter.Element(out, "domainbackup").attr("mode", def.mode().xml());
        XmlWriter body = root.children();
        body.textElement("incremental", def.incremental());
        writeServer(body, def.server());

        XmlWriter.Element disks = new XmlWriter.Element(body, "disks");
        for (BackupDiskDef disk : def.disks()) {
            writeDisk(disks.children(), disk, def.mode() == BackupMode.PUSH, internal);
        }
        disks.writeTo(body);

        if (internal) {
            writeKept(body, def.privateData());
        }
        root.writeTo(out);
        return out.toString();
    }

    private static void writeServer(XmlWriter w, BackupServer server) {
        if (server == null) {
            return;
        }
        Integer port = server.port() == null || server.port() == 0 ? null : server.port();
        w.emptyElement("server",
                "transport", server.transport().xml(),
                "tls", server.tls() == null ? null : yesNo(server.tls()),
                "name", server.name(),
                "port", port == null ? null : port.toString(),
                "socket", server.socket(),
                "fdgroup", server.fdgroup());
    }

    private static void writeDisk(XmlWriter w, BackupDiskDef disk, boolean push, boolean internal) {
        XmlWriter.Element e = new XmlWriter.Element(w, "disk")
                .attr("name", disk.name())
                .attr("backup", yesNo(disk.backup()));
        if (internal && disk.state() != BackupDiskState.NONE) {
            e.attr("state", disk.state().xml());
        }
        if (disk.backup()) {
            StoreType type = disk.type() == null ? StoreType.FILE : disk.type();
            e.attr("type", type.xml());
            if (disk.backupmode() != BackupDiskMode.DEFAULT) {
                e.attr("backupmode", disk.backupmode().xml());
            }
            e.attr("incremental", disk.incremental())
                    .attr("exportname", disk.exportName())
                    .attr("exportbitmap", disk.exportBitmap());
            if (disk.index() != 0) {
                e.attr("index", Integer.toString(disk.index()));
            }
            e.children().emptyElement("driver", "type", disk.driverType() == null ? null : disk.driverType().xml());
            writeStore(e.children(), push ? "target" : "scratch", type, disk.store(), internal);
        }
        e.writeTo(w);
    }

    private static void writeStore(XmlWriter w, String elementName, StoreType type, BackupStore store,
            boolean internal) {
        if (store == null) {
            return;
        }
        XmlWriter.Element e = new XmlWriter.Element(w, elementName).attr(type.pathAttribute(), store.path());
        for (XmlNode seclabel : store.seclabels()) {
            writeKept(e.children(), seclabel);
        }
        writeKept(e.children(), store.encryption());
        if (internal) {
            writeKept(e.children(), store.privateData());
        }
        e.writeTo(w);
    }

    /** Writes a kept element unless it is absent or has nothing in it (libvirt omits empty elements). */
    private static void writeKept(XmlWriter w, XmlNode node) {
        if (node == null || (node.attributes().isEmpty() && node.children().isEmpty() && node.text() == null)) {
            return;
        }
        w.node(node);
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }
}
