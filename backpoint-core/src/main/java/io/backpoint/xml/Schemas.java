package io.backpoint.xml;

import com.thaiopensource.validation.ValidatorHandler2;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.XmlNode;
import java.io.IOException;
import java.net.URL;
import java.util.EnumMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.ValidatorHandler;
import org.w3c.dom.ls.DOMImplementationLS;
import org.w3c.dom.ls.LSInput;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Backpoint's RELAX NG schemas, compiled once per process with Jing. libvirt re-reads its
 * schema files on every parse; compiling once is what keeps a parse in the microseconds.
 */
public final class Schemas {
    /** The document types Backpoint validates, by root element. */
    public enum Kind {
        CHECKPOINT("domaincheckpoint"),
        BACKUP("domainbackup"),
        DOMAIN("domain");

        private final String root;

        Kind(String root) {
            this.root = root;
        }

        /** The root element name, which is also the schema's file name without {@code .rng}. */
        public String root() {
            return root;
        }

        public String fileName() {
            return root + ".rng";
        }

        /** The kind whose root element is this name, or null. */
        public static Kind ofRoot(String element) {
            for (Kind k : values()) {
                if (k.root.equals(element)) {
                    return k;
                }
            }
            return null;
        }
    }

    private static final Map<Kind, Schema> COMPILED = new EnumMap<>(Kind.class);

    private Schemas() {}

    /** Validates a parsed document; throws XML_INVALID_SCHEMA naming what is wrong. */
    public static void validate(XmlNode root, Kind kind) {
        ValidatorHandler validator = borrow(kind);
        try {
            validator.startDocument();
            toSax(root, validator);
            validator.endDocument();
            io.backpoint.util.Trace.mark("validated " + kind.fileName());
        } catch (SAXException e) {
            throw new BackpointException(ErrorCode.XML_INVALID_SCHEMA,
                    "Unable to validate doc against " + kind.fileName() + "\n" + e.getMessage(), e);
        } finally {
            giveBack(kind, validator);
        }
    }

    /**
     * How many documents one cached validator checks before it is replaced. Jing memoizes the
     * schema's derivatives inside each validator, so a fresh validator per document recomputes
     * them all (most of the cost of a validation); reusing one keeps them. The memo also grows
     * with every new element name it sees, so a validator is retired after this many uses.
     */
    private static final int VALIDATOR_USES = 10_000;

    private static final class Cached {
        ValidatorHandler2 handler;
        int uses;
    }

    private static final ThreadLocal<Map<Kind, Cached>> VALIDATORS = ThreadLocal.withInitial(() -> new EnumMap<>(Kind.class));

    private static ValidatorHandler borrow(Kind kind) {
        Cached cached = VALIDATORS.get().computeIfAbsent(kind, k -> new Cached());
        ValidatorHandler2 handler = cached.handler;
        cached.handler = null; // a nested or failed use never sees a half-used validator
        if (handler == null || cached.uses >= VALIDATOR_USES) {
            ValidatorHandler fresh = schema(kind).newValidatorHandler();
            fresh.setErrorHandler(FIRST_ERROR);
            if (!(fresh instanceof ValidatorHandler2)) {
                return fresh; // not Jing's: used once, never cached
            }
            handler = (ValidatorHandler2) fresh;
            cached.uses = 0;
        } else {
            handler.reset();
        }
        cached.uses++;
        return handler;
    }

    private static void giveBack(Kind kind, ValidatorHandler validator) {
        if (validator instanceof ValidatorHandler2 handler) {
            // Returned after a failure too: the next borrow resets it before use.
            VALIDATORS.get().get(kind).handler = handler;
        }
    }

    static synchronized Schema schema(Kind kind) {
        return COMPILED.computeIfAbsent(kind, Schemas::compile);
    }

    private static Schema compile(Kind kind) {
        io.backpoint.util.Trace.mark("schema compile " + kind.fileName());
        URL url = Schemas.class.getResource("/io/backpoint/schemas/" + kind.fileName());
        if (url == null) {
            throw new IllegalStateException("schema resource missing: " + kind.fileName());
        }
        try {
            SchemaFactory factory = new com.thaiopensource.relaxng.jaxp.XMLSyntaxSchemaFactory();
            factory.setResourceResolver(Schemas::resolveInclude);
            Schema schema = factory.newSchema(new StreamSource(url.toExternalForm()));
            io.backpoint.util.Trace.mark("schema compiled " + kind.fileName());
            return schema;
        } catch (SAXException e) {
            throw new IllegalStateException("schema " + kind.fileName() + " does not compile: " + e.getMessage(), e);
        }
    }

    /**
     * Resolves a schema's {@code <include href>} to a sibling schema resource. Jing cannot resolve
     * a relative href against a {@code jar:} URL (it falls back to the working directory), so
     * without this a packaged Backpoint could not load domaincheckpoint.rng. Only our own schema
     * files are served; anything else is refused rather than fetched.
     */
    static LSInput resolveInclude(String type, String namespace, String publicId, String systemId, String baseUri) {
        if (systemId == null) {
            return null;
        }
        String file = systemId.substring(systemId.lastIndexOf('/') + 1);
        URL url = file.endsWith(".rng") ? Schemas.class.getResource("/io/backpoint/schemas/" + file) : null;
        if (url == null) {
            throw new IllegalStateException("schema include '" + systemId + "' is not a Backpoint schema");
        }
        try {
            DOMImplementationLS ls = (DOMImplementationLS) DocumentBuilderFactory.newInstance()
                    .newDocumentBuilder().getDOMImplementation();
            LSInput input = ls.createLSInput();
            input.setByteStream(url.openStream());
            input.setSystemId(url.toExternalForm());
            return input;
        } catch (ParserConfigurationException | IOException e) {
            throw new IllegalStateException("cannot read schema include '" + systemId + "'", e);
        }
    }

    private static final ErrorHandler FIRST_ERROR = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {}

        @Override
        public void error(SAXParseException e) throws SAXException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }
    };

    /** Replays an element as SAX events, for validation. */
    private static void toSax(XmlNode node, org.xml.sax.ContentHandler handler) throws SAXException {
        org.xml.sax.helpers.AttributesImpl attrs = new org.xml.sax.helpers.AttributesImpl();
        for (XmlNode.Attribute a : node.attributes()) {
            attrs.addAttribute("", a.name(), a.name(), "CDATA", a.value());
        }
        handler.startElement("", node.name(), node.name(), attrs);
        for (XmlNode c : node.children()) {
            toSax(c, handler);
        }
        if (node.text() != null) {
            handler.characters(node.text().toCharArray(), 0, node.text().length());
        }
        handler.endElement("", node.name(), node.name());
    }
}
