package io.backpoint.model;

/** What a backup target or scratch area is: a file (path in {@code file=}) or a block device ({@code dev=}). */
public enum StoreType {
    FILE("file", "file"),
    BLOCK("block", "dev");

    private final String xml;
    private final String pathAttribute;

    StoreType(String xml, String pathAttribute) {
        this.xml = xml;
        this.pathAttribute = pathAttribute;
    }

    public String xml() {
        return xml;
    }

    /** The attribute of {@code <target>}/{@code <scratch>} that holds the path for this type. */
    public String pathAttribute() {
        return pathAttribute;
    }

    public static StoreType fromXml(String value) {
        for (StoreType t : values()) {
            if (t.xml.equals(value)) {
                return t;
            }
        }
        return null;
    }
}
