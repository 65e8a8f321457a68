package io.backpoint.image.img;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code qemu-img info --output=json} says about one image.
 *
 * @param format qcow2, raw, ...
 * @param virtualSize guest-visible size in bytes
 * @param actualSize bytes allocated on the host, or -1 if not reported
 * @param backingFilename the backing file as recorded in the image, or null
 * @param backingFormat the recorded backing format, or null
 * @param bitmaps persistent bitmaps stored in a qcow2 (empty for other formats)
 */
public record ImageInfo(String format, long virtualSize, long actualSize, String backingFilename,
        String backingFormat, List<Bitmap> bitmaps) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ImageInfo {
        bitmaps = List.copyOf(bitmaps);
    }

    /**
     * A bitmap in the qcow2 bitmap directory.
     *
     * @param inUse the in-use flag: the image is open by a writer now, or was not closed cleanly
     * @param auto the auto flag: the bitmap is enabled (records writes)
     */
    public record Bitmap(String name, long granularity, boolean inUse, boolean auto) {}

    /** The bitmap with this name, or null. */
    public Bitmap bitmap(String name) {
        for (Bitmap b : bitmaps) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        return null;
    }

    /** Parses qemu-img's JSON; IOException when it is not what qemu-img prints. */
    public static ImageInfo parse(String json) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            throw new IOException("unexpected output of qemu-img info: " + abbreviate(json), e);
        }
        if (n == null || !n.isObject() || !n.path("format").isTextual() || !n.path("virtual-size").canConvertToLong()) {
            throw new IOException("unexpected output of qemu-img info: " + abbreviate(json));
        }
        List<Bitmap> bitmaps = new ArrayList<>();
        for (JsonNode b : n.path("format-specific").path("data").path("bitmaps")) {
            boolean inUse = false;
            boolean auto = false;
            for (JsonNode f : b.path("flags")) {
                inUse |= f.asText().equals("in-use");
                auto |= f.asText().equals("auto");
            }
            bitmaps.add(new Bitmap(b.path("name").asText(), b.path("granularity").asLong(), inUse, auto));
        }
        return new ImageInfo(n.path("format").asText(), n.path("virtual-size").asLong(),
                n.path("actual-size").asLong(-1), text(n, "backing-filename"), text(n, "backing-filename-format"),
                bitmaps);
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.length() <= 200 ? t : t.substring(0, 200) + "...";
    }
}
