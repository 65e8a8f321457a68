package io.backpoint.util;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.util.regex.Pattern;

/**
 * A name that Backpoint turns into a file name (checkpoints, domains) is checked here as well as by the
 * schema: the same pattern as libvirt's checkpoint schema (no '/', no leading '.', no spaces).
 */
public final class SafeFileName {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_\\-][a-zA-Z0-9_\\-.]*");
    /**
     * The longest file name the store derives from a checkpoint name is the temporary file of
     * an atomic write, {@code .<name>.xml.<unsigned long>.tmp}; it must fit the usual 255-byte
     * limit, or saving fails late with "File name too long".
     */
    private static final int MAX_LENGTH = 255 - ".".length() - ".xml".length() - ".".length() - 20 - ".tmp".length();

    private SafeFileName() {}

    public static boolean valid(String name) {
        return name != null && name.length() <= MAX_LENGTH && NAME.matcher(name).matches();
    }

    /** Throws INVALID_ARG unless the name is safe as a file name. */
    public static String require(String what, String name) {
        if (!valid(name)) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "invalid %s name '%s'", what, name);
        }
        return name;
    }
}
