package io.backpoint.xml;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.BackupDef;
import io.backpoint.model.BackupDiskDef;
import io.backpoint.model.BackupDiskMode;
import io.backpoint.model.BackupDiskState;
import io.backpoint.model.BackupMode;
import io.backpoint.model.BackupServer;
import io.backpoint.model.BackupStore;
import io.backpoint.model.BackupTransport;
import io.backpoint.model.DiskFormat;
import io.backpoint.model.StoreType;
import io.backpoint.model.XmlNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Extraction of a {@code <domainbackup>} tree into records. It follows libvirt's parser rather
 * than trusting the schema, because job records (INTERNAL) are read without validation and
 * must still fail with a typed error, never an exception from a null.
 */
final class BackupXmlReader {
    /** Image formats a store's {@code <driver type=>} may name (libvirt's storage file formats). */
    static final Set<DiskFormat> STORE_FORMATS = EnumSet.of(DiskFormat.RAW, DiskFormat.DIR, DiskFormat.BOCHS,
            DiskFormat.CLOOP, DiskFormat.DMG, DiskFormat.ISO, DiskFormat.VPC, DiskFormat.VDI, DiskFormat.FAT,
            DiskFormat.VHD, DiskFormat.PLOOP, DiskFormat.LUKS, DiskFormat.COW, DiskFormat.QCOW, DiskFormat.QCOW2,
            DiskFormat.QED, DiskFormat.VMDK);

    private BackupXmlReader() {}

    static BackupDef read(XmlNode root, boolean internal) {
        BackupMode mode = BackupMode.PUSH;
        String modeText = root.attribute("mode");
        if (modeText != null) {
            mode = BackupMode.fromXml(modeText);
            if (mode == null) {
                throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED, "unknown backup mode '%s'", modeText);
            }
        }
        boolean push = mode == BackupMode.PUSH;
        String incremental = nonEmpty(text(root.child("incremental")));

        BackupServer server = null;
        XmlNode serverNode = root.child("server");
        if (serverNode != null) {
            if (mode != BackupMode.PULL) {
                throw new BackpointException(ErrorCode.CONFIG_UNSUPPORTED,
                        "use of <server> requires pull mode backup");
            }
            server = readServer(serverNode);
        }

        List<BackupDiskDef> disks = new ArrayList<>();
        // libvirt takes every element under <disks>, whatever its name; so do we.
        for (XmlNode disksNode : root.children("disks")) {
            for (XmlNode diskNode : disksNode.children()) {
                disks.add(readDisk(diskNode, push, internal));
            }
        }
        XmlNode privateData = internal ? kept(root.child("privateData")) : null;
        return new BackupDef(mode, incremental, server, disks, privateData);
    }

    private static BackupServer readServer(XmlNode node) {
        BackupTransport transport = BackupTransport.TCP;
        String transportText = node.attribute("transport");
        if (transportText != null) {
            if (transportText.equals("rdma")) {
                throw new BackpointException(ErrorCode.CONFIG_UNSUPPORTED,
                        "transport rdma is not supported for <server>");
            }
            transport = BackupTransport.fromXml(transportText);
            if (transport == null) {
                throw invalidValue("transport", node, transportText);
            }
        }
        String socket = node.attribute("socket");
        if (transport == BackupTransport.UNIX) {
            if (socket == null) {
                throw new BackpointException(ErrorCode.XML_ERROR, "missing socket for unix transport");
            }
            if (!socket.startsWith("/")) {
                throw BackpointException.of(ErrorCode.XML_ERROR, "backup socket path '%s' must be absolute", socket);
            }
        } else if (socket != null) {
            throw BackpointException.of(ErrorCode.XML_ERROR, "transport '%s' does not support socket attribute",
                    transport.xml());
        }
        String fdgroup = node.attribute("fdgroup");
        if (transport == BackupTransport.FD && (fdgroup == null || fdgroup.isEmpty())) {
            throw new BackpointException(ErrorCode.XML_ERROR, "missing fdgroup for fd transport");
        }
        Integer port = readPort(node);
        Boolean tls = readYesNo(node, "tls");
        return new BackupServer(transport, node.attribute("name"), port, socket, fdgroup, tls);
    }

    private static BackupDiskDef readDisk(XmlNode node, boolean push, boolean internal) {
        String name = node.attribute("name");
        if (name == null) {
            throw new BackpointException(ErrorCode.XML_ERROR, "missing name from disk backup element");
        }
        Boolean backup = readYesNo(node, "backup");
        // Like libvirt, nothing else of an excluded disk is read.
        if (Boolean.FALSE.equals(backup)) {
            return BackupDiskDef.excluded(name);
        }
        String exportName = push ? null : node.attribute("exportname");
        String exportBitmap = push ? null : node.attribute("exportbitmap");

        BackupDiskMode backupmode = BackupDiskMode.DEFAULT;
        String modeText = node.attribute("backupmode");
        if (modeText != null) {
            backupmode = BackupDiskMode.fromXml(modeText);
            if (backupmode == null) {
                throw invalidValue("backupmode", node, modeText);
            }
        }
        String incremental = node.attribute("incremental");

        BackupDiskState state = BackupDiskState.NONE;
        int index = 0;
        if (internal) {
            String stateText = node.attribute("state");
            if (stateText == null) {
                throw BackpointException.of(ErrorCode.XML_ERROR,
                        "missing required attribute 'state' in element '%s'", node.name());
            }
            state = BackupDiskState.fromXml(stateText);
            if (state == null) {
                throw invalidValue("state", node, stateText);
            }
            index = readIndex(node);
        }

        StoreType type = StoreType.FILE;
        String typeText = node.attribute("type");
        if (typeText != null) {
            type = StoreType.fromXml(typeText);
            if (type == null) {
                throw BackpointException.of(ErrorCode.XML_ERROR, "unsupported disk backup type '%s'", typeText);
            }
        }
        DiskFormat driverType = null;
        XmlNode driver = node.child("driver");
        if (driver != null) {
            String formatText = nonEmpty(driver.attribute("type"));
            if (formatText != null) {
                driverType = DiskFormat.fromXml(formatText);
                if (driverType == null || !STORE_FORMATS.contains(driverType)) {
                    throw BackpointException.of(ErrorCode.XML_ERROR, "unknown storage format type '%s'", formatText);
                }
            }
        }

        XmlNode storeNode = node.child(push ? "target" : "scratch");
        BackupStore store = storeNode == null ? null : readStore(storeNode, type, internal);
        return new BackupDiskDef(name, true, backupmode, incremental, exportName, exportBitmap, type, store,
                driverType, state, index);
    }

    private static BackupStore readStore(XmlNode node, StoreType type, boolean internal) {
        List<XmlNode> seclabels = new ArrayList<>();
        for (XmlNode s : node.children("seclabel")) {
            seclabels.add(kept(s));
        }
        return new BackupStore(nonEmpty(node.attribute(type.pathAttribute())), seclabels,
                kept(node.child("encryption")), internal ? kept(node.child("privateData")) : null);
    }

    private static Integer readPort(XmlNode node) {
        String text = node.attribute("port");
        if (text == null) {
            return null;
        }
        try {
            int port = Integer.parseInt(text.trim());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw BackpointException.of(ErrorCode.XML_ERROR,
                "invalid value for attribute 'port' in element 'server': '%s'; expected a port number 0-65535", text);
    }

    private static int readIndex(XmlNode node) {
        String text = node.attribute("index");
        if (text == null) {
            return 0;
        }
        try {
            int index = Integer.parseInt(text.trim());
            if (index >= 0) {
                return index;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw BackpointException.of(ErrorCode.XML_ERROR, "malformed storage source index '%s'", text);
    }

    /** A yes/no attribute: null when absent, an error for anything else (libvirt's tristate bool). */
    private static Boolean readYesNo(XmlNode node, String attr) {
        String text = node.attribute(attr);
        if (text == null) {
            return null;
        }
        switch (text) {
            case "yes":
                return Boolean.TRUE;
            case "no":
                return Boolean.FALSE;
            default:
                throw BackpointException.of(ErrorCode.XML_ERROR,
                        "invalid value for attribute '%s' in element '%s': '%s'; expected 'yes' or 'no'",
                        attr, node.name(), text);
        }
    }

    private static BackpointException invalidValue(String attr, XmlNode node, String value) {
        return BackpointException.of(ErrorCode.XML_ERROR, "invalid value for attribute '%s' in element '%s': '%s'",
                attr, node.name(), value);
    }

    private static String text(XmlNode node) {
        return node == null ? null : node.text();
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /**
     * An element kept for writing back: whitespace-only text (indentation inside an element that
     * has no child elements) is dropped, as libvirt's parser drops blank nodes.
     */
    private static XmlNode kept(XmlNode node) {
        if (node == null) {
            return null;
        }
        List<XmlNode> children = new ArrayList<>(node.children().size());
        for (XmlNode c : node.children()) {
            children.add(kept(c));
        }
        String text = node.text() == null || node.text().isBlank() ? null : node.text();
        return new XmlNode(node.name(), node.attributes(), children, text);
    }
}
