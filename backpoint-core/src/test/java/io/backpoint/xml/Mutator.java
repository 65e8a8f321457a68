package io.backpoint.xml;

import io.backpoint.model.XmlNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Seeded single-step edits of a document tree for the schema differential test: delete,
 * duplicate or rename an element or attribute, add one, change an attribute value or an
 * element's text to another legal-looking or an illegal value, put stray text beside child
 * elements. A checkpoint's embedded {@code <domain>} is never entered (it may be deleted,
 * duplicated or renamed as a whole).
 */
final class Mutator {
    private static final List<String> ELEMENTS = List.of(
            "domaincheckpoint", "domainbackup", "name", "description", "creationTime", "parent", "disks", "disk",
            "domain", "incremental", "server", "target", "scratch", "driver", "seclabel", "label", "encryption",
            "secret", "cipher", "ivgen", "privateData", "bogus");
    private static final List<String> ATTRIBUTES = List.of(
            "name", "checkpoint", "bitmap", "size", "mode", "transport", "socket", "port", "tls", "fdgroup", "backup",
            "backupmode", "incremental", "type", "exportname", "exportbitmap", "file", "dev", "model", "relabel",
            "labelskip", "format", "engine", "uuid", "usage", "hash", "index", "state", "bogus");
    /** Values that are legal somewhere in one of the two grammars, and values that are legal nowhere. */
    private static final List<String> VALUES = List.of(
            "yes", "no", "push", "pull", "full", "incremental", "file", "block", "network", "bitmap", "qcow2", "raw",
            "luks", "qcow", "qed", "vmdk", "tcp", "unix", "fd", "rdma", "passphrase", "qemu", "librbd", "selinux",
            "dac", "vda", "sdb", "hdc", "xvdz", "fd0", "ubda", "ioemu:vda", "vd", "nvme0n1", "/tmp/x", "/", "//",
            "C:\\x", "relative", "0", "1", "+1", "-1", "01", "65535", "65536", "4294967296", "1525889631",
            "18446744073709551615", "18446744073709551616", "c1", "c1.2", ".c", "../escape", "a b", "vda ", "",
            " ", "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", "0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d",
            "0a1b2c3d-4e5f6a7b-8c9d-0e1f2a3b4c5d", "localhost", "host_name", "::1", "127.0.0.1", "256.1.1.1",
            "fe80::1", "a:b", "aes", "cbc", "sha256", "plain64", "system_u:object_r:svirt_image_t:s0");

    private final Random random;
    private final List<String> seenValues;

    Mutator(Random random, List<LibvirtSchemaDifferentialTest.Case> corpus) {
        this.random = random;
        Set<String> values = new LinkedHashSet<>(VALUES);
        for (LibvirtSchemaDifferentialTest.Case c : corpus) {
            try {
                collect(XmlInput.parse(c.xml()), values);
            } catch (io.backpoint.error.BackpointException e) {
                // malformed seeds add no values
            }
        }
        this.seenValues = List.copyOf(values);
    }

    private static void collect(XmlNode node, Set<String> values) {
        if (node.name().equals("domain")) {
            return;
        }
        node.attributes().forEach(a -> values.add(a.value()));
        if (node.text() != null && node.text().length() < 80) {
            values.add(node.text());
        }
        node.children().forEach(c -> collect(c, values));
    }

    /** One edit somewhere in the tree; {@code how} gets a short note of what was done. */
    XmlNode mutate(XmlNode root, StringBuilder how) {
        List<List<Integer>> paths = new ArrayList<>();
        paths(root, new ArrayList<>(), paths);
        List<Integer> path = paths.get(random.nextInt(paths.size()));
        return edit(root, path, 0, how);
    }

    private static void paths(XmlNode node, List<Integer> at, List<List<Integer>> out) {
        out.add(List.copyOf(at));
        if (node.name().equals("domain")) {
            return;
        }
        for (int i = 0; i < node.children().size(); i++) {
            at.add(i);
            paths(node.children().get(i), at, out);
            at.remove(at.size() - 1);
        }
    }

    private XmlNode edit(XmlNode node, List<Integer> path, int depth, StringBuilder how) {
        if (depth < path.size() - 1) {
            int i = path.get(depth);
            List<XmlNode> children = new ArrayList<>(node.children());
            children.set(i, edit(children.get(i), path, depth + 1, how));
            return node.withChildren(children);
        }
        if (depth == path.size() - 1) {
            // node is the parent of the target: structural edits of the child happen here
            int i = path.get(depth);
            XmlNode target = node.children().get(i);
            List<XmlNode> children = new ArrayList<>(node.children());
            switch (random.nextInt(6)) {
                case 0 -> {
                    children.remove(i);
                    how.append("[delete <").append(target.name()).append(">]");
                    return node.withChildren(children);
                }
                case 1 -> {
                    children.add(i + 1, target);
                    how.append("[duplicate <").append(target.name()).append(">]");
                    return node.withChildren(children);
                }
                default -> {
                    children.set(i, editElement(target, how));
                    return node.withChildren(children);
                }
            }
        }
        return editElement(node, how); // the root itself
    }

    private XmlNode editElement(XmlNode e, StringBuilder how) {
        List<XmlNode.Attribute> attrs = new ArrayList<>(e.attributes());
        int op = random.nextInt(e.name().equals("domain") ? 2 : 8);
        switch (op) {
            case 0 -> {
                String name = pick(ELEMENTS);
                how.append("[rename <").append(e.name()).append("> to <").append(name).append(">]");
                return new XmlNode(name, attrs, e.children(), e.text());
            }
            case 1 -> {
                String name = pick(ATTRIBUTES);
                attrs.removeIf(a -> a.name().equals(name));
                String value = pick(seenValues);
                attrs.add(new XmlNode.Attribute(name, value));
                how.append("[add ").append(name).append("='").append(value).append("' to <").append(e.name()).append(">]");
                return new XmlNode(e.name(), attrs, e.children(), e.text());
            }
            case 2 -> {
                String name = pick(ELEMENTS);
                List<XmlNode> children = new ArrayList<>(e.children());
                children.add(random.nextInt(children.size() + 1), new XmlNode(name, List.of(), List.of(), null));
                how.append("[add <").append(name).append("/> in <").append(e.name()).append(">]");
                return new XmlNode(e.name(), attrs, children, children.size() == 1 ? null : e.text());
            }
            case 3 -> {
                String text = pick(seenValues);
                how.append("[text '").append(text).append("' in <").append(e.name()).append(">]");
                return new XmlNode(e.name(), attrs, e.children(), text.isEmpty() ? null : text);
            }
            default -> {
                if (attrs.isEmpty()) {
                    return editElement(e, how);
                }
                int i = random.nextInt(attrs.size());
                XmlNode.Attribute a = attrs.get(i);
                switch (op) {
                    case 4 -> {
                        attrs.remove(i);
                        how.append("[delete ").append(a.name()).append(" of <").append(e.name()).append(">]");
                    }
                    case 5 -> {
                        String name = pick(ATTRIBUTES);
                        attrs.removeIf(x -> x.name().equals(name));
                        attrs.add(Math.min(i, attrs.size()), new XmlNode.Attribute(name, a.value()));
                        if (!name.equals(a.name())) {
                            attrs.remove(a);
                        }
                        how.append("[rename ").append(a.name()).append(" to ").append(name).append("]");
                    }
                    default -> {
                        String value = pick(seenValues);
                        attrs.set(i, new XmlNode.Attribute(a.name(), value));
                        how.append("[").append(a.name()).append("='").append(value).append("' in <")
                                .append(e.name()).append(">]");
                    }
                }
                return new XmlNode(e.name(), attrs, e.children(), e.text());
            }
        }
    }

    private String pick(List<String> from) {
        return from.get(random.nextInt(from.size()));
    }

    /** Writes a tree back as XML; unlike XmlWriter it keeps empty elements, and text beside children. */
    static String serialize(XmlNode node) {
        StringBuilder sb = new StringBuilder();
        write(node, sb, 0);
        return sb.toString();
    }

    private static void write(XmlNode node, StringBuilder sb, int indent) {
        sb.append(" ".repeat(indent)).append('<').append(node.name());
        for (XmlNode.Attribute a : node.attributes()) {
            sb.append(' ').append(a.name()).append("='");
            escape(sb, a.value());
            sb.append('\'');
        }
        if (node.children().isEmpty() && node.text() == null) {
            sb.append("/>\n");
            return;
        }
        sb.append('>');
        if (node.text() != null) {
            escape(sb, node.text());
        }
        if (!node.children().isEmpty()) {
            sb.append('\n');
            for (XmlNode c : node.children()) {
                write(c, sb, indent + 2);
            }
            sb.append(" ".repeat(indent));
        }
        sb.append("</").append(node.name()).append(">\n");
    }

    private static void escape(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '\'' -> sb.append("&apos;");
                case '"' -> sb.append("&quot;");
                case '\n' -> sb.append("&#10;");
                case '\t' -> sb.append("&#9;");
                case '\r' -> sb.append("&#13;");
                default -> sb.append(ch);
            }
        }
    }
}
