package io.backpoint.xml;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
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
        ValidatorHandler validator = schema(kind).newValidatorHandler();
        validator.setErrorHandler(FIRST_ERROR);
        try {
            validator.startDocument();
            root.toSax(validator);
            validator.endDocument();
        } catch (SAXException e) {
            throw new BackpointException(ErrorCode.XML_INVALID_SCHEMA,
                    "Unable to validate doc against " + kind.fileName() + "\n" + e.getMessage(), e);
        }
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
            factory.setResourceResolver(Schemas::resolveInclude);
            return factory.newSchema(new StreamSource(url.toExternalForm()));
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
    private static LSInput resolveInclude(String type, String namespace, String publicId, String systemId, String baseUri) {
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
}
