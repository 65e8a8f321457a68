package io.backpoint.qemu.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * What {@code qemu-img info --output=json} says about one image.
 *
 * @param format the format driver qemu-img used (raw, qcow2, ...)
 * @param virtualSize the guest-visible size in bytes
 * @param backingFile the backing file name as stored in the image, or null when it has none
 */
record ImageInfo(String format, long virtualSize, String backingFile) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Parses qemu-img's JSON; IOException when it is not what qemu-img prints. */
    static ImageInfo parse(String json) throws IOException {
        JsonNode root = JSON.readTree(json);
        if (root == null || !root.isObject() || !root.path("format").isTextual()
                || !root.path("virtual-size").canConvertToLong()) {
            throw new IOException("unexpected output of qemu-img info: " + abbreviate(json));
        }
        JsonNode backing = root.get("backing-filename");
        return new ImageInfo(root.get("format").asText(), root.get("virtual-size").asLong(),
                backing == null || backing.isNull() ? null : backing.asText());
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.length() <= 200 ? t : t.substring(0, 200) + "...";
    }
}
