package io.backpoint.repo.storage;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The one place a repository location (what the user wrote after --repo) becomes a store. */
public final class ObjectStores {
    private ObjectStores() {
    }

    public static ObjectStore open(String location) {
        if (location == null || location.isBlank()) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "repository location is empty");
        }
        if (S3Location.matches(location)) {
            return S3Store.open(s3(location));
        }
        return new DirectoryStore(Path.of(location));
    }

    /** What the user should be told before a repository at {@code location} is used. */
    public static List<String> warnings(String location) {
        if (location != null && S3Location.matches(location) && s3(location).plainHttpOffHost()) {
            return List.of("repository '" + location + "' is reached over plain HTTP on another host: "
                    + "data and request signatures cross the network unencrypted; use an https:// endpoint");
        }
        return List.of();
    }

    private static S3Location s3(String location) {
        String endpoint = System.getenv("AWS_ENDPOINT_URL_S3");
        if (endpoint == null || endpoint.isBlank()) {
            endpoint = System.getenv("AWS_ENDPOINT_URL");
        }
        return S3Location.parse(location, Optional.ofNullable(endpoint));
    }
}
