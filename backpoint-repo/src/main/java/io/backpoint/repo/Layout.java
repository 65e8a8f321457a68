package io.backpoint.repo;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.util.regex.Pattern;

/** The one place every object name of a repository is made and parsed. */
final class Layout {
    static final String CONFIG = "config.json";
    static final String CHUNKS = "chunks/";
    static final String SNAPSHOTS = "snapshots/";
    static final String LOCKS = "locks/";
    static final String MANIFEST_SUFFIX = ".json";
    private static final Pattern CHUNK_ID = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SNAPSHOT_ID = Pattern.compile("[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}");

    private Layout() {
    }

    static String chunk(String id) {
        if (!CHUNK_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid chunk id '" + id + "'");
        }
        // 256 fan-out directories keep directory sizes sane for the directory backend.
        return CHUNKS + id.substring(0, 2) + "/" + id;
    }

    /** The chunk id of a chunk key, or null when the key is not a chunk's. */
    static String chunkId(String key) {
        int slash = key.lastIndexOf('/');
        String id = key.substring(slash + 1);
        return key.startsWith(CHUNKS) && CHUNK_ID.matcher(id).matches() ? id : null;
    }

    static String manifest(String domain, String id) {
        return SNAPSHOTS + checkDomain(domain) + "/" + id + MANIFEST_SUFFIX;
    }

    static String manifests(String domain) {
        return domain == null ? SNAPSHOTS : SNAPSHOTS + checkDomain(domain) + "/";
    }

    /** {domain, id} of a manifest key, or null when the key is not a manifest's. */
    static String[] manifestParts(String key) {
        if (!key.startsWith(SNAPSHOTS) || !key.endsWith(MANIFEST_SUFFIX)) {
            return null;
        }
        String rest = key.substring(SNAPSHOTS.length(), key.length() - MANIFEST_SUFFIX.length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || rest.indexOf('/', slash + 1) >= 0) {
            return null;
        }
        String id = rest.substring(slash + 1);
        return isSnapshotId(id) ? new String[] {rest.substring(0, slash), id} : null;
    }

    static boolean isSnapshotId(String text) {
        return SNAPSHOT_ID.matcher(text).matches();
    }

    static String lock(String kind, String token) {
        return LOCKS + kind + "-" + token + ".json";
    }

    /**
     * Domain names become object names (and file names), so they are checked: no '/', no
     * leading '.', no ':' (it separates DOMAIN:latest), no control characters.
     */
    static String checkDomain(String domain) {
        boolean bad = domain == null || domain.isEmpty() || domain.length() > 200 || domain.startsWith(".")
                || domain.contains("/") || domain.contains(":") || domain.contains("\\");
        for (int i = 0; !bad && i < domain.length(); i++) {
            bad = domain.charAt(i) < 0x20 || domain.charAt(i) == 0x7f;
        }
        if (bad) {
            throw BackpointException.of(ErrorCode.INVALID_ARG,
                    "invalid domain name '%s' for a repository (no '/', ':', leading '.' or control characters)", domain);
        }
        return domain;
    }
}
