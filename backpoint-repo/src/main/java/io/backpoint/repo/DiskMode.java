package io.backpoint.repo;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;

/** Whether a disk of a snapshot was read whole or only where it changed since the base. */
public enum DiskMode {
    FULL("full"),
    INCREMENTAL("incremental");

    private final String json;

    DiskMode(String json) {
        this.json = json;
    }

    public String json() {
        return json;
    }

    public static DiskMode fromJson(String text) {
        for (DiskMode value : values()) {
            if (value.json.equals(text)) {
                return value;
            }
        }
        throw BackpointException.of(ErrorCode.INVALID_ARG, "unknown disk mode '%s'", text);
    }
}
