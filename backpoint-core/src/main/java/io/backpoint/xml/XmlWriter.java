package io.backpoint.xml;

import io.backpoint.model.XmlNode;

/**
 * Writes XML the way libvirt does: no declaration, two spaces per level, single-quoted
 * attributes in the order they are added, one escaping routine for text and attributes.
 *
 * <p>Elements are built with {@link Element}: an element with neither attributes nor content is
 * omitted, one with attributes only is self-closed (libvirt's {@code virXMLFormatElement}).
 */
public final class XmlWriter {
    private final StringBuilder out = new StringBuilder(512);
    private int indent;

    public XmlWriter() {
        this(0);
    }

    public XmlWriter(int indent) {
        this.indent = indent;
    }

    /** Opens {@code <name attrs>} on its own line and indents what follows. */
    public XmlWriter open(String name, String... attrs) {
        pad().append('<').append(name);
        appendAttrs(out, attrs);
        out.append(">\n");
        indent += 2;
        return this;
    }

    public XmlWriter close(String name) {
        indent -= 2;
        pad().append("</").append(name).append(">\n");
        return this;
    }

    /** {@code <name>text</name>}, escaped; nothing when text is null. */
    public XmlWriter textElement(String name, String text) {
        if (text != null) {
            pad().append('<').append(name).append('>');
            escape(out, text);
            out.append("</").append(name).append(">\n");
        }
        return this;
    }

    /** {@code <name a='v'/>}; attribute pairs with a null value are skipped, and so is the element if none is left. */
    public XmlWriter emptyElement(String name, String... attrs) {
        StringBuilder a = new StringBuilder();
        appendAttrs(a, attrs);
        if (a.length() > 0) {
            pad().append('<').append(name).append(a).append("/>\n");
        }
        return this;
    }

    /** Appends text that is already formatted XML, each line at the current indentation. */
    public XmlWriter raw(String formatted) {
        out.append(formatted);
        return this;
    }

    /** Writes a kept element (and its subtree) as it was read, at the current indentation. */
    public XmlWriter node(XmlNode node) {
        StringBuilder sb = new StringBuilder();
        write(sb, node, indent);
        out.append(sb);
        return this;
    }

    private static void write(StringBuilder sb, XmlNode node, int indent) {
        sb.append(" ".repeat(indent)).append('<').append(node.name());
        for (XmlNode.Attribute a : node.attributes()) {
            sb.append(' ').append(a.name()).append("='");
            escape(sb, a.value());
            sb.append('\'');
        }
        if (!node.children().isEmpty()) {
            sb.append(">\n");
            for (XmlNode c : node.children()) {
                write(sb, c, indent + 2);
            }
            sb.append(" ".repeat(indent)).append("</").append(node.name()).append(">\n");
        } else if (node.text() != null) {
            sb.append('>');
            escape(sb, node.text());
            sb.append("</").append(node.name()).append(">\n");
        } else {
            sb.append("/>\n");
        }
    }

    public int indent() {
        return indent;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private StringBuilder pad() {
        for (int i = 0; i < indent; i++) {
            out.append(' ');
        }
        return out;
    }

    private static void appendAttrs(StringBuilder sb, String... attrs) {
        if (attrs.length % 2 != 0) {
            throw new IllegalArgumentException("attributes come in name/value pairs");
        }
        for (int i = 0; i < attrs.length; i += 2) {
            if (attrs[i + 1] != null) {
                sb.append(' ').append(attrs[i]).append("='");
                escape(sb, attrs[i + 1]);
                sb.append('\'');
            }
        }
    }

    /**
     * libvirt's escaping (virBufferEscapeString): the five XML specials become entities, and
     * control characters other than tab, newline and carriage return are dropped, since XML 1.0
     * cannot represent them at all (a description set through the API could hold one).
     */
    public static void escape(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '\'' -> sb.append("&apos;");
                case '"' -> sb.append("&quot;");
                default -> {
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                        sb.append(c);
                    }
                }
            }
        }
    }

    /**
     * An element assembled from attributes and child content, then written all at once so that
     * an element with nothing in it can be left out.
     */
    public static final class Element {
        private final String name;
        private final StringBuilder attrs = new StringBuilder();
        private final XmlWriter children;

        public Element(XmlWriter parent, String name) {
            this.name = name;
            this.children = new XmlWriter(parent.indent + 2);
        }

        /** Adds {@code name='value'} unless value is null. */
        public Element attr(String attrName, String value) {
            appendAttrs(attrs, attrName, value);
            return this;
        }

        /** The writer for this element's children, already indented one level deeper. */
        public XmlWriter children() {
            return children;
        }

        /** Writes the element into parent; omitted when empty, self-closed when it has no children. */
        public void writeTo(XmlWriter parent) {
            boolean hasChildren = children.out.length() > 0;
            if (attrs.length() == 0 && !hasChildren) {
                return;
            }
            parent.pad().append('<').append(name).append(attrs);
            if (!hasChildren) {
                parent.out.append("/>\n");
                return;
            }
            parent.out.append(">\n").append(children.out);
            parent.pad().append("</").append(name).append(">\n");
        }
    }
}
