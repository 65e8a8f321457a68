package io.backpoint.cli.shell;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * virsh's {@code --xpath EXPR [--wrap]} for the XML it dumps: the nodes the expression selects,
 * each printed as libxml2 prints a node (double-quoted attributes, two-space indentation of
 * element-only content), or all of them inside one {@code <nodes>} element. The input is XML
 * Backpoint itself wrote, so a plain JDK DOM parse is enough.
 */
public final class XPathFilter {
    private XPathFilter() {}

    /** Prints the dump, or what --xpath selects from it; false for an invalid expression. */
    public static boolean print(Shell shell, String xml, ParsedArgs args) {
        String expr = args.get("xpath");
        if (expr == null) {
            shell.out().print(xml);
            return true;
        }
        String selected = apply(xml, expr, args.has("wrap"));
        if (selected == null) {
            // virsh passes libxml2's own complaint through and carries on with no nodes.
            shell.err().println("XPath error : Invalid expression");
            return true;
        }
        shell.out().print(selected);
        return true;
    }

    /** What to print for {@code xml} filtered by {@code expr}; null when the expression is invalid. */
    static String apply(String xml, String expr, boolean wrap) {
        Document doc = parse(xml);
        NodeList nodes;
        try {
            nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(expr, doc, XPathConstants.NODESET);
        } catch (XPathExpressionException e) {
            if (isSyntaxError(expr)) {
                return null;
            }
            // A valid expression whose value is a number, string or boolean: virsh wants nodes.
            throw new BackpointException(ErrorCode.INTERNAL_ERROR, "Incorrect xpath '" + expr + "'");
        }
        StringBuilder out = new StringBuilder();
        if (wrap) {
            // libxml2 copies each node under a new <nodes>: attributes become its attributes and
            // adjacent text merges.
            List<Attr> attrs = new ArrayList<>();
            List<Node> children = new ArrayList<>();
            for (int i = 0; i < nodes.getLength(); i++) {
                Node n = nodes.item(i);
                if (n instanceof Attr a) {
                    attrs.add(a);
                } else if (n instanceof Document d) {
                    children.add(d.getDocumentElement());
                } else if (isText(n) && !children.isEmpty() && isText(children.get(children.size() - 1))) {
                    Node merged = doc.createTextNode(children.get(children.size() - 1).getNodeValue() + n.getNodeValue());
                    children.set(children.size() - 1, merged);
                } else {
                    children.add(n);
                }
            }
            element(out, "nodes", attrs, children, 0);
            out.append('\n');
        } else {
            for (int i = 0; i < nodes.getLength(); i++) {
                write(out, nodes.item(i), 0);
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** Whether the expression does not even compile (as opposed to not yielding nodes). */
    private static boolean isSyntaxError(String expr) {
        try {
            XPathFactory.newInstance().newXPath().compile(expr);
            return false;
        } catch (XPathExpressionException e) {
            return true;
        }
    }

    private static void write(StringBuilder out, Node node, int level) {
        switch (node.getNodeType()) {
            case Node.DOCUMENT_NODE -> {
                out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
                write(out, ((Document) node).getDocumentElement(), 0);
                out.append('\n');
            }
            case Node.ATTRIBUTE_NODE -> attribute(out, (Attr) node);
            case Node.TEXT_NODE, Node.CDATA_SECTION_NODE -> text(out, node.getNodeValue());
            case Node.COMMENT_NODE -> out.append("<!--").append(node.getNodeValue()).append("-->");
            case Node.ELEMENT_NODE -> element(out, (Element) node, level);
            default -> out.append(node.getTextContent());
        }
    }

    private static void element(StringBuilder out, Element e, int level) {
        List<Attr> attrs = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<String> order = (List<String>) e.getUserData(ORDER);
        for (String name : order) {
            attrs.add(e.getAttributeNode(name));
        }
        List<Node> children = new ArrayList<>();
        NodeList list = e.getChildNodes();
        for (int i = 0; i < list.getLength(); i++) {
            children.add(list.item(i));
        }
        element(out, e.getTagName(), attrs, children, level);
    }

    private static void element(StringBuilder out, String name, List<Attr> attrs, List<Node> children, int level) {
        out.append('<').append(name);
        for (Attr a : attrs) {
            attribute(out, a);
        }
        if (children.isEmpty()) {
            out.append("/>");
            return;
        }
        out.append('>');
        // libxml2 indents only content made of elements alone; text keeps everything inline.
        boolean indent = children.stream().noneMatch(XPathFilter::isText);
        for (Node child : children) {
            if (indent) {
                out.append('\n').append("  ".repeat(level + 1));
            }
            write(out, child, indent ? level + 1 : 0);
        }
        if (indent) {
            out.append('\n').append("  ".repeat(level));
        }
        out.append("</").append(name).append('>');
    }

    private static boolean isText(Node n) {
        return n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE;
    }

    private static void attribute(StringBuilder out, Attr a) {
        out.append(' ').append(a.getName()).append("=\"");
        String v = a.getValue();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\n' -> out.append("&#10;");
                case '\r' -> out.append("&#13;");
                case '\t' -> out.append("&#9;");
                default -> out.append(c);
            }
        }
        out.append('"');
    }

    private static void text(StringBuilder out, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '\r' -> out.append("&#13;");
                default -> out.append(c);
            }
        }
    }

    /** User-data key of an element's attribute names in document order (DOM sorts them). */
    private static final String ORDER = "backpoint.attribute-order";

    private static Document parse(String xml) {
        Document doc = newBuilder().newDocument();
        try {
            SAXParserFactory f = SAXParserFactory.newInstance();
            f.setNamespaceAware(false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.newSAXParser().parse(new InputSource(new StringReader(xml)), new DefaultHandler() {
                private Node current = doc;

                @Override
                public void startElement(String uri, String localName, String qName, Attributes attributes) {
                    Element e = doc.createElement(qName);
                    List<String> order = new ArrayList<>();
                    for (int i = 0; i < attributes.getLength(); i++) {
                        e.setAttribute(attributes.getQName(i), attributes.getValue(i));
                        order.add(attributes.getQName(i));
                    }
                    e.setUserData(ORDER, order, null);
                    current.appendChild(e);
                    current = e;
                }

                @Override
                public void endElement(String uri, String localName, String qName) {
                    current = current.getParentNode();
                }

                @Override
                public void characters(char[] ch, int start, int length) {
                    if (current != doc) {
                        current.appendChild(doc.createTextNode(new String(ch, start, length)));
                    }
                }
            });
            doc.normalizeDocument();
            dropBlanks(doc.getDocumentElement());
            return doc;
        } catch (SAXException | IOException | ParserConfigurationException e) {
            throw new BackpointException(ErrorCode.INTERNAL_ERROR, "cannot re-read XML for --xpath: " + e.getMessage());
        }
    }

    /** libxml2's keepBlanks(0), which virsh sets: indentation-only text between elements goes. */
    private static void dropBlanks(Node node) {
        List<Node> blanks = new ArrayList<>();
        boolean hasElement = false;
        NodeList children = node.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node c = children.item(i);
            if (c.getNodeType() == Node.ELEMENT_NODE) {
                hasElement = true;
                dropBlanks(c);
            } else if (c.getNodeType() == Node.TEXT_NODE && c.getNodeValue().isBlank()) {
                blanks.add(c);
            }
        }
        if (hasElement) {
            for (Node b : blanks) {
                node.removeChild(b);
            }
        }
    }

    private static DocumentBuilder newBuilder() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }
}
