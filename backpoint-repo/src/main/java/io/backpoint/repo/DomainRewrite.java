package io.backpoint.repo;

import io.backpoint.model.XmlNode;
import io.backpoint.xml.XmlInput;
import io.backpoint.xml.XmlWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The saved domain XML made into a new VM's: new name, new uuid, each backed-up disk pointing at
 * its restored file (no backing chain), and disks that were not backed up removed, so the new
 * VM never shares a disk with the original. Whole-VM restore and recover both use it.
 */
public final class DomainRewrite {
    public record Result(String xml, String uuid, List<String> dropped) {
    }

    private DomainRewrite() {
    }

    public static Result rewrite(String domainXml, String name, List<Restore.RestoredDisk> disks) {
        XmlNode domain = XmlInput.parse(domainXml);
        String uuid = UUID.randomUUID().toString();
        List<String> dropped = new ArrayList<>();
        List<XmlNode> children = new ArrayList<>();
        boolean hasUuid = false;
        for (XmlNode child : domain.children()) {
            switch (child.name()) {
                case "name" -> children.add(new XmlNode("name", List.of(), List.of(), name));
                case "uuid" -> {
                    children.add(new XmlNode("uuid", List.of(), List.of(), uuid));
                    hasUuid = true;
                }
                case "devices" -> children.add(devices(child, disks, dropped));
                default -> children.add(child);
            }
        }
        if (!hasUuid) {
            children.add(1, new XmlNode("uuid", List.of(), List.of(), uuid));
        }
        XmlWriter writer = new XmlWriter();
        writer.node(new XmlNode(domain.name(), domain.attributes(), children, domain.text()));
        return new Result(writer.toString(), uuid, dropped);
    }

    private static XmlNode devices(XmlNode devices, List<Restore.RestoredDisk> disks, List<String> dropped) {
        List<XmlNode> children = new ArrayList<>();
        for (XmlNode device : devices.children()) {
            if (!device.name().equals("disk") || !"disk".equals(orDefault(device.attribute("device"), "disk"))) {
                children.add(device);
                continue;
            }
            XmlNode target = device.child("target");
            String dev = target == null ? null : target.attribute("dev");
            Restore.RestoredDisk restored = disks.stream().filter(d -> d.name().equals(dev)).findFirst().orElse(null);
            if (restored == null) {
                dropped.add(dev == null ? "?" : dev);
                continue;
            }
            children.add(disk(device, restored));
        }
        return devices.withChildren(children);
    }

    private static XmlNode disk(XmlNode disk, Restore.RestoredDisk restored) {
        List<XmlNode> children = new ArrayList<>();
        for (XmlNode child : disk.children()) {
            switch (child.name()) {
                case "source" -> children.add(new XmlNode("source",
                        List.of(new XmlNode.Attribute("file", restored.path().toString())), List.of(), null));
                case "driver" -> children.add(withAttribute(child, "type", restored.format()));
                case "backingStore" -> { }
                default -> children.add(child);
            }
        }
        if (disk.child("source") == null) {
            children.add(0, new XmlNode("source",
                    List.of(new XmlNode.Attribute("file", restored.path().toString())), List.of(), null));
        }
        return withAttribute(new XmlNode(disk.name(), disk.attributes(), children, disk.text()), "type", "file");
    }

    private static XmlNode withAttribute(XmlNode node, String name, String value) {
        List<XmlNode.Attribute> attributes = new ArrayList<>();
        boolean set = false;
        for (XmlNode.Attribute a : node.attributes()) {
            if (a.name().equals(name)) {
                attributes.add(new XmlNode.Attribute(name, value));
                set = true;
            } else {
                attributes.add(a);
            }
        }
        if (!set) {
            attributes.add(new XmlNode.Attribute(name, value));
        }
        return new XmlNode(node.name(), attributes, node.children(), node.text());
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
