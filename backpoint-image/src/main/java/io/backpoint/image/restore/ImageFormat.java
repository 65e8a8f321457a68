package io.backpoint.image.restore;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;

/** The image formats a push backup target or a restored disk can have, with qemu-img's spelling. */
public enum ImageFormat {
    RAW("raw"),
    QCOW2("qcow2");

    private final String spelling;

    ImageFormat(String spelling) {
        this.spelling = spelling;
    }

    /** The name qemu-img and the backup record use. */
    @JsonValue
    public String spelling() {
        return spelling;
    }

    /** Parses qemu-img's name; anything else is INVALID_ARG. */
    @JsonCreator
    public static ImageFormat fromSpelling(String s) {
        for (ImageFormat f : values()) {
            if (f.spelling.equals(s)) {
                return f;
            }
        }
        throw new BackpointException(ErrorCode.INVALID_ARG,
                "unsupported image format '" + s + "' (expected 'raw' or 'qcow2')");
    }

    /** Like {@link #fromSpelling} but null for a format Backpoint does not restore (vmdk, luks, ...). */
    static ImageFormat orNull(String s) {
        for (ImageFormat f : values()) {
            if (f.spelling.equals(s)) {
                return f;
            }
        }
        return null;
    }
}
