package io.backpoint.repo.storage;

import java.time.Instant;
import java.util.Objects;

/** One stored object: its key, its size in bytes and when the store last wrote it. */
public record ObjectInfo(String key, long size, Instant lastModified) {
    public ObjectInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(lastModified, "lastModified");
    }
}
