package io.backpoint.repo.storage;

/** The one check of object keys, shared by every backend. */
public final class Keys {
    private Keys() {
    }

    /**
     * A key is relative, '/'-separated, with no empty, "." or ".." segment and no control
     * character: so it is also a safe relative file name for the directory backend.
     */
    public static String check(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.endsWith("/")) {
            throw new IllegalArgumentException("invalid object key '" + key + "'");
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
                    || segment.startsWith(DirectoryStore.TEMP_PREFIX)) {
                throw new IllegalArgumentException("invalid object key '" + key + "'");
            }
        }
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) < 0x20 || key.charAt(i) == 0x7f) {
                throw new IllegalArgumentException("invalid object key '" + key + "'");
            }
        }
        return key;
    }
}
