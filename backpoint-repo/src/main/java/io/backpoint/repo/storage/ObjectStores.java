package io.backpoint.repo.storage;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.nio.file.Path;

/** The one place a repository location (what the user wrote after --repo) becomes a store. */
public final class ObjectStores {
    private ObjectStores() {
    }

    public static ObjectStore open(String location) {
        if (location == null || location.isBlank()) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "repository location is empty");
        }
        if (location.startsWith("s3://")) {
            throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED,
                    "repository '%s': object storage repositories are not supported yet; use a directory", location);
        }
        return new DirectoryStore(Path.of(location));
    }
}
