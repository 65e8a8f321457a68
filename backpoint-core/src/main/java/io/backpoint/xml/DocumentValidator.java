package io.backpoint.xml;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.XmlNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;

/**
 * {@code backpoint validate}: libvirt's virt-xml-validate for the documents Backpoint knows. The
 * document type comes from the root element; the document is then validated against its schema
 * and read by its codec, so that anything the codec would refuse is reported here too.
 */
public final class DocumentValidator {
    /** Creation time for the throw-away parse; validation never depends on it. */
    private static final Clock ANY_TIME = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);

    private DocumentValidator() {}

    /**
     * Validates a document and returns its kind.
     *
     * @throws BackpointException XML_ERROR for a malformed document or an unknown root element,
     *     XML_INVALID_SCHEMA naming what is wrong
     */
    public static Schemas.Kind validate(String xml) {
        XmlNode root = XmlInput.parse(xml);
        Schemas.Kind kind = Schemas.Kind.ofRoot(root.name());
        if (kind == null) {
            throw BackpointException.of(ErrorCode.XML_ERROR,
                    "unknown document type with root element '%s'", root.name());
        }
        Schemas.validate(root, kind);
        switch (kind) {
            case CHECKPOINT -> CheckpointXml.fromValidated(root, EnumSet.noneOf(CheckpointParseFlag.class), ANY_TIME);
            case DOMAIN -> DomainXml.fromElement(root);
            case BACKUP -> BackupXml.parse(xml, EnumSet.noneOf(BackupParseFlag.class));
        }
        return kind;
    }
}
