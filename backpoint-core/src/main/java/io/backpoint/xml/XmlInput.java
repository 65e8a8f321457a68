package io.backpoint.xml;

import io.backpoint.util.IoErrors;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.XMLReader;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Hardened XML reading into {@link XmlNode} trees. Documents come from users, so: no DOCTYPE
 * at all (which rules out entity expansion bombs and external entities), no external access
 * of any kind, no XInclude, and a size cap checked before the parser sees a byte.
 *
 * <p>Parsing and validation are separate steps, as in libvirt: a document that is not
 * well-formed is an XML_ERROR whatever else is wrong with it; schema validation
 * ({@link Schemas#validate}) then runs over the parsed tree.
 */
public final class XmlInput {
    /** Largest document accepted. Real checkpoint and backup documents are a few KiB. */
    public static final int MAX_BYTES = 10 * 1024 * 1024;

    /**
     * Deepest element nesting accepted: libxml2's default, so libvirt refuses the same documents.
     * Without a bound, a document of nothing but nested tags would exhaust the stack of every
     * recursive walk over the tree (validation, formatting, equality).
     */
    public static final int MAX_DEPTH = 256;

    private static final SAXParserFactory FACTORY = newFactory();
    private static final ThreadLocal<SAXParser> PARSER = ThreadLocal.withInitial(XmlInput::newParser);

    private XmlInput() {}

    /** Parses a document held in a string. */
    public static XmlNode parse(String xml) {
        if (xml == null) {
            throw new BackpointException(ErrorCode.INVALID_ARG, "XML document must not be null");
        }
        if (xml.length() > MAX_BYTES) {
            throw tooLarge();
        }
        return parse(xml.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses a document held in bytes. */
    public static XmlNode parse(byte[] xml) {
        if (xml.length > MAX_BYTES) {
            throw tooLarge();
        }
        SAXParser parser = PARSER.get();
        TreeBuilder builder = new TreeBuilder();
        try {
            XMLReader reader = parser.getXMLReader();
            reader.setContentHandler(builder);
            reader.setErrorHandler(builder);
            reader.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("external entities are not allowed");
            });
            reader.parse(new InputSource(new ByteArrayInputStream(xml)));
            return builder.root;
        } catch (SAXParseException e) {
            throw new BackpointException(ErrorCode.XML_ERROR, describe(e), e);
        } catch (SAXException e) {
            throw new BackpointException(ErrorCode.XML_ERROR, "malformed XML: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.XML_ERROR, "cannot read XML: " + IoErrors.reason(e), e);
        } finally {
            parser.reset();
        }
    }

    /** Reads a file as UTF-8, refusing it before reading it all when it is larger than {@link #MAX_BYTES}. */
    public static String readFile(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw tooLarge();
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.READ_FAILED,
                    "failed to open file '" + file + "': " + reason(e), e);
        }
    }

    /** The strerror-like text libvirt prints for a file that cannot be read. */
    public static String reason(IOException e) {
        return IoErrors.reason(e);
    }

    private static BackpointException tooLarge() {
        return new BackpointException(ErrorCode.XML_ERROR,
                "document is larger than " + (MAX_BYTES / (1024 * 1024)) + " MiB");
    }

    private static String describe(SAXParseException e) {
        String msg = e.getMessage();
        if (msg != null && msg.contains("DOCTYPE")) {
            return "DOCTYPE declarations are not allowed";
        }
        return "malformed XML at line " + e.getLineNumber() + ", column " + e.getColumnNumber() + ": " + msg;
    }

    private static SAXParserFactory newFactory() {
        try {
            SAXParserFactory f = SAXParserFactory.newInstance();
            f.setNamespaceAware(false);
            f.setValidating(false);
            f.setXIncludeAware(false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            return f;
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a required security feature", e);
        }
    }

    private static SAXParser newParser() {
        try {
            SAXParser p = FACTORY.newSAXParser();
            p.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            p.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            return p;
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("cannot create a hardened XML parser", e);
        }
    }

    /** Builds the tree from SAX events, keeping attributes in document order. */
    private static final class TreeBuilder extends DefaultHandler {
        private static final class Open {
            final String name;
            final List<XmlNode.Attribute> attrs;
            final List<XmlNode> children = new ArrayList<>();
            final StringBuilder text = new StringBuilder();

            Open(String name, List<XmlNode.Attribute> attrs) {
                this.name = name;
                this.attrs = attrs;
            }
        }

        private final Deque<Open> stack = new ArrayDeque<>();
        XmlNode root;

        @Override
        public void startElement(String uri, String localName, String qName, Attributes atts) throws SAXException {
            if (stack.size() >= MAX_DEPTH) {
                throw new SAXException("elements are nested more than " + MAX_DEPTH + " levels deep");
            }
            List<XmlNode.Attribute> attrs = new ArrayList<>(atts.getLength());
            for (int i = 0; i < atts.getLength(); i++) {
                attrs.add(new XmlNode.Attribute(atts.getQName(i), atts.getValue(i)));
            }
            stack.push(new Open(qName, attrs));
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            Open o = stack.pop();
            // Whitespace between child elements is layout; anything else beside them is kept so
            // that validation sees it and refuses it, as libvirt's schemas do, instead of the
            // text vanishing unnoticed.
            String text = o.text.length() > 0 && (o.children.isEmpty() || !o.text.toString().isBlank())
                    ? o.text.toString() : null;
            XmlNode node = new XmlNode(o.name, o.attrs, o.children, text);
            if (stack.isEmpty()) {
                root = node;
            } else {
                stack.peek().children.add(node);
            }
        }

        @Override
        public void characters(char[] ch, int start, int length) {
            if (!stack.isEmpty()) {
                stack.peek().text.append(ch, start, length);
            }
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }

        @Override
        public void error(SAXParseException e) throws SAXException {
            throw e;
        }
    }
}
