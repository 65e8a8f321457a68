package io.backpoint.xml;

import java.io.InputStream;
import java.io.Reader;
import org.w3c.dom.ls.LSInput;

/** A schema read from the class path, handed to the schema compiler for an include. */
final class SchemaInput implements LSInput {
    private final String systemId;
    private InputStream stream;

    SchemaInput(String systemId, InputStream stream) {
        this.systemId = systemId;
        this.stream = stream;
    }

    @Override public Reader getCharacterStream() { return null; }
    @Override public void setCharacterStream(Reader characterStream) {}
    @Override public InputStream getByteStream() { return stream; }
    @Override public void setByteStream(InputStream byteStream) { this.stream = byteStream; }
    @Override public String getStringData() { return null; }
    @Override public void setStringData(String stringData) {}
    @Override public String getSystemId() { return systemId; }
    @Override public void setSystemId(String id) {}
    @Override public String getPublicId() { return null; }
    @Override public void setPublicId(String publicId) {}
    @Override public String getBaseURI() { return null; }
    @Override public void setBaseURI(String baseURI) {}
    @Override public String getEncoding() { return null; }
    @Override public void setEncoding(String encoding) {}
    @Override public boolean getCertifiedText() { return false; }
    @Override public void setCertifiedText(boolean certifiedText) {}
}
