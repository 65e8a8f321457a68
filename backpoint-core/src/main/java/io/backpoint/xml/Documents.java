package io.backpoint.xml;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.XmlNode;

/** Small helpers the document codecs share. */
final class Documents {
    private Documents() {}

    /** Refuses a document whose root is not the expected element, before schema validation (as libvirt). */
    static void requireRoot(XmlNode root, String expected) {
        if (!root.name().equals(expected)) {
            throw BackpointException.of(ErrorCode.XML_ERROR,
                    "expecting root element of '%s', not '%s'", expected, root.name());
        }
    }

    /** An element's text, with libvirt's XPath string() semantics: absent or empty is null. */
    static String text(XmlNode element) {
        if (element == null || element.text() == null || element.text().isEmpty()) {
            return null;
        }
        return element.text();
    }
}
