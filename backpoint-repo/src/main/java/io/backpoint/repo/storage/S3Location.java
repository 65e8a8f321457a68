package io.backpoint.repo.storage;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A repository on object storage as the user writes it: {@code s3://BUCKET[/PREFIX][?endpoint=URL]}.
 * The endpoint may also come from {@code AWS_ENDPOINT_URL_S3} or {@code AWS_ENDPOINT_URL}; with any
 * custom endpoint, requests use path-style addressing (what Ceph RGW and most on-premise stores
 * expect).
 */
record S3Location(String bucket, String prefix, Optional<URI> endpoint, String text) {
    // S3's bucket naming rules (lower case, digits, dots and dashes, 3 to 63 characters).
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    static boolean matches(String location) {
        return location.startsWith("s3://");
    }

    static S3Location parse(String location, Optional<String> environmentEndpoint) {
        String rest = location.substring("s3://".length());
        String query = null;
        int question = rest.indexOf('?');
        if (question >= 0) {
            query = rest.substring(question + 1);
            rest = rest.substring(0, question);
        }
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (!BUCKET.matcher(bucket).matches()) {
            throw invalid(location, "'" + bucket + "' is not a bucket name (3 to 63 lower-case letters, digits, '.' or '-')");
        }
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (!prefix.isEmpty()) {
            try {
                Keys.check(prefix);
            } catch (IllegalArgumentException e) {
                throw invalid(location, "'" + prefix + "' is not a usable key prefix");
            }
        }
        Optional<String> endpointText = environmentEndpoint;
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith("endpoint=")) {
                    endpointText = Optional.of(pair.substring("endpoint=".length()));
                } else if (!pair.isEmpty()) {
                    throw invalid(location, "unknown parameter '" + pair + "' (only endpoint=URL is known)");
                }
            }
        }
        Optional<URI> endpoint = Optional.empty();
        if (endpointText.isPresent() && !endpointText.get().isBlank()) {
            endpoint = Optional.of(endpoint(location, endpointText.get()));
        }
        return new S3Location(bucket, prefix, endpoint, location);
    }

    /** The object key of a repository key: the prefix, a slash, the key. */
    String objectKey(String key) {
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }

    /** The repository key of an object key listed under the prefix. */
    String repositoryKey(String objectKey) {
        return prefix.isEmpty() ? objectKey : objectKey.substring(prefix.length() + 1);
    }

    /** True for plain HTTP to a host that is not this machine: credentials and data cross in clear. */
    boolean plainHttpOffHost() {
        if (endpoint.isEmpty() || !"http".equals(endpoint.get().getScheme())) {
            return false;
        }
        String host = endpoint.get().getHost();
        return !(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"));
    }

    private static URI endpoint(String location, String text) {
        try {
            URI uri = new URI(text);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw invalid(location, "endpoint '" + text + "' is not an http:// or https:// URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw invalid(location, "endpoint '" + text + "' is not a URL");
        }
    }

    private static BackpointException invalid(String location, String why) {
        return BackpointException.of(ErrorCode.INVALID_ARG, "repository '%s': %s", location, why);
    }
}
