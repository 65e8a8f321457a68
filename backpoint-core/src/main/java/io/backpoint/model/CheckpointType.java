package io.backpoint.model;

/** How a disk takes part in a checkpoint ({@code virDomainCheckpointType}). */
public enum CheckpointType {
    /** Not yet decided; never produced by the parser, only by a disk entry made in code. */
    DEFAULT(null),
    NO("no"),
    BITMAP("bitmap");

    private final String xml;

    CheckpointType(String xml) {
        this.xml = xml;
    }

    /** The XML spelling, or null for DEFAULT. */
    public String xml() {
        return xml;
    }

    /** The type for an XML attribute value, or null if there is none. */
    public static CheckpointType fromXml(String value) {
        for (CheckpointType t : values()) {
            if (t.xml != null && t.xml.equals(value)) {
                return t;
            }
        }
        return null;
    }
}
