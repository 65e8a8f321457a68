package io.backpoint.repo;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;

/** How chunks are stored: zstd when it saves space, or always as they are. */
public enum Compression {
    NONE("none"),
    ZSTD("zstd");

    private final String json;

    Compression(String json) {
        this.json = json;
    }

    public String json() {
        return json;
    }

    public static Compression fromJson(String text) {
        for (Compression value : values()) {
            if (value.json.equals(text)) {
                return value;
            }
        }
        throw BackpointException.of(ErrorCode.INVALID_ARG, "unknown compression '%s' (expected zstd or none)", text);
    }
}
