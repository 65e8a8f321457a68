package io.backpoint.xml;

import io.backpoint.error.BackpointException;
import io.backpoint.model.XmlNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * For each known difference between our schemas and libvirt's, the same document with that
 * difference taken out, or null when the document does not show it. libvirt accepting the
 * stand-in shows the difference is the only thing it objects to.
 */
final class StandIns {
    private StandIns() {}

    /** A checkpoint without its embedded {@code <domain>}. */
    static String withoutDomain(String xml) {
        return edit(xml, root -> {
            List<XmlNode> kept = new ArrayList<>(root.children());
            return kept.removeIf(c -> c.name().equals("domain")) ? root.withChildren(kept) : null;
        });
    }

    /** A pull backup whose fd server is a unix socket server instead. */
    static String unixInsteadOfFd(String xml) {
        return edit(xml, root -> {
            List<XmlNode> children = new ArrayList<>();
            boolean changed = false;
            for (XmlNode c : root.children()) {
                if (c.name().equals("server") && "fd".equals(c.attribute("transport"))) {
                    List<XmlNode.Attribute> attrs = new ArrayList<>();
                    for (XmlNode.Attribute a : c.attributes()) {
                        switch (a.name()) {
                            case "transport" -> attrs.add(new XmlNode.Attribute("transport", "unix"));
                            case "fdgroup" -> attrs.add(new XmlNode.Attribute("socket", "/run/backup.sock"));
                            default -> attrs.add(a);
                        }
                    }
                    c = new XmlNode(c.name(), attrs, c.children(), c.text());
                    changed = true;
                }
                children.add(c);
            }
            return changed ? root.withChildren(children) : null;
        });
    }

    /** A push backup with type='file' on each backed-up disk that has no type. */
    static String typedPushDisks(String xml) {
        return edit(xml, root -> {
            if ("pull".equals(root.attribute("mode"))) {
                return null;
            }
            boolean changed = false;
            List<XmlNode> children = new ArrayList<>();
            for (XmlNode child : root.children()) {
                if (child.name().equals("disks")) {
                    List<XmlNode> disks = new ArrayList<>();
                    for (XmlNode disk : child.children()) {
                        if (disk.name().equals("disk") && disk.attribute("type") == null
                                && !"no".equals(disk.attribute("backup"))) {
                            List<XmlNode.Attribute> attrs = new ArrayList<>(disk.attributes());
                            attrs.add(new XmlNode.Attribute("type", "file"));
                            disk = new XmlNode(disk.name(), attrs, disk.children(), disk.text());
                            changed = true;
                        }
                        disks.add(disk);
                    }
                    child = child.withChildren(disks);
                }
                children.add(child);
            }
            return changed ? root.withChildren(children) : null;
        });
    }

    private static String edit(String xml, UnaryOperator<XmlNode> change) {
        XmlNode root;
        try {
            root = XmlInput.parse(xml);
        } catch (BackpointException e) {
            return null;
        }
        XmlNode changed = change.apply(root);
        return changed == null ? null : Mutator.serialize(changed);
    }
}
