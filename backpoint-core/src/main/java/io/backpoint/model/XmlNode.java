package io.backpoint.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An element kept as it was read: name, attributes in document order, child elements, text.
 * Used for the parts of a domain definition that Backpoint does not interpret, so that they are
 * written back unchanged. Attributes keep document order (a DOM would sort them). Comments and
 * whitespace between elements are not kept (libvirt drops them too). Text beside child elements
 * is kept only so that validation can refuse it: no document Backpoint reads has mixed content,
 * and the writer leaves it out.
 */
public record XmlNode(String name, List<Attribute> attributes, List<XmlNode> children, String text) {

    public record Attribute(String name, String value) {
        public Attribute {
            Objects.requireNonNull(name);
            Objects.requireNonNull(value);
        }
    }

    public XmlNode {
        Objects.requireNonNull(name);
        attributes = List.copyOf(attributes);
        children = List.copyOf(children);
    }

    /** The value of an attribute, or null. */
    public String attribute(String attrName) {
        for (Attribute a : attributes) {
            if (a.name().equals(attrName)) {
                return a.value();
            }
        }
        return null;
    }

    /** The first child element with this name, or null. */
    public XmlNode child(String childName) {
        for (XmlNode c : children) {
            if (c.name().equals(childName)) {
                return c;
            }
        }
        return null;
    }

    /** All child elements with this name, in order. */
    public List<XmlNode> children(String childName) {
        List<XmlNode> result = new ArrayList<>();
        for (XmlNode c : children) {
            if (c.name().equals(childName)) {
                result.add(c);
            }
        }
        return result;
    }

    /** A copy without the named attribute. */
    public XmlNode withoutAttribute(String attrName) {
        List<Attribute> attrs = new ArrayList<>(attributes);
        attrs.removeIf(a -> a.name().equals(attrName));
        return new XmlNode(name, attrs, children, text);
    }

    /** A copy with the given children. */
    public XmlNode withChildren(List<XmlNode> newChildren) {
        return new XmlNode(name, attributes, newChildren, text);
    }
}
