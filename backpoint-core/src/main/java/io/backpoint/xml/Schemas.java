package io.backpoint.xml;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.net.URL;
import java.util.EnumMap;
import java.util.Map;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.ValidatorHandler;
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
        ValidatorHandler validator = handler(kind);
        try {
            validator.startDocument();
            root.toSax(validator);
            validator.endDocument();
        } catch (SAXException e) {
            // The handler is mid-document now; drop it so the next call starts clean.
            HANDLERS.get().remove(kind);
            throw new BackpointException(ErrorCode.XML_INVALID_SCHEMA,
                    "Unable to validate doc against " + kind.fileName() + "\n" + e.getMessage(), e);
        }
    }

    /**
     * One validator per thread and kind, reset between documents: a new Jing validator builds its
     * pattern memo tables from scratch, which costs most of a parse.
     */
    private static final ThreadLocal<Map<Kind, ValidatorHandler>> HANDLERS =
            ThreadLocal.withInitial(() -> new EnumMap<>(Kind.class));

    private static ValidatorHandler handler(Kind kind) {
        Map<Kind, ValidatorHandler> mine = HANDLERS.get();
        ValidatorHandler h = mine.get(kind);
        if (h instanceof com.thaiopensource.validation.ValidatorHandler2 reusable) {
            reusable.reset();
            return h;
        }
        h = schema(kind).newValidatorHandler();
        h.setErrorHandler(FIRST_ERROR);
        mine.put(kind, h);
        return h;
    }

    static synchronized Schema schema(Kind kind) {
        return COMPILED.computeIfAbsent(kind, Schemas::compile);
    }

    private static Schema compile(Kind kind) {
        URL url = Schemas.class.getResource("/io/backpoint/schemas/" + kind.fileName());
        if (url == null) {
            throw new IllegalStateException("schema resource missing: " + kind.fileName());
        }
        try {
            SchemaFactory factory = new com.thaiopensource.relaxng.jaxp.XMLSyntaxSchemaFactory();
            // Inside a jar the schema's URL is opaque (jar:file:...!/x.rng), against which a
            // relative <include href> does not resolve; look included schemas up on the class path.
            factory.setResourceResolver(Schemas::resolveInclude);
            StreamSource source = new StreamSource(url.openStream(), SYSTEM_ID_BASE + kind.fileName());
            return factory.newSchema(source);
        } catch (SAXException | java.io.IOException e) {
            throw new IllegalStateException("schema " + kind.fileName() + " does not compile: " + e.getMessage(), e);
        }
    }

    /** A made-up hierarchical base, so relative includes resolve to names we can look up. */
    private static final String SYSTEM_ID_BASE = "backpoint-schema:/";

    private static org.w3c.dom.ls.LSInput resolveInclude(String type, String namespace, String publicId,
            String systemId, String baseUri) {
        if (systemId == null) {
            return null;
        }
        String name = systemId.substring(systemId.lastIndexOf('/') + 1);
        java.io.InputStream in = Schemas.class.getResourceAsStream("/io/backpoint/schemas/" + name);
        if (in == null) {
            return null;
        }
        return new SchemaInput(SYSTEM_ID_BASE + name, in);
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
}
