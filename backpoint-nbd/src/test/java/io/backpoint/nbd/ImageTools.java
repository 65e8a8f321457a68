package io.backpoint.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.testing.Tools;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the NBD tests do with images and the libnbd tools they compare against. */
final class ImageTools {
    private ImageTools() {
    }



    private static final Pattern OBJECT = Pattern.compile("\\{[^{}]*\\}");
    private static final Pattern FIELD = Pattern.compile("\"([a-z_-]+)\"\\s*:\\s*(\"[^\"]*\"|[-0-9]+|true|false)");

    /** The objects of a flat JSON array (as nbdinfo and qemu-img print them), as string maps. */
    static List<Map<String, String>> jsonObjects(String json) {
        List<Map<String, String>> out = new ArrayList<>();
        Matcher m = OBJECT.matcher(json);
        while (m.find()) {
            Map<String, String> fields = new LinkedHashMap<>();
            Matcher f = FIELD.matcher(m.group());
            while (f.find()) {
                fields.put(f.group(1), f.group(2).replace("\"", ""));
            }
            out.add(fields);
        }
        return out;
    }

    /** {@code nbdinfo --map[=CONTEXT] --json} of a unix socket export, as extents. */
    static List<Extent> nbdinfoMap(java.nio.file.Path socket, String context) throws Exception {
        String uri = "nbd+unix:///?socket=" + socket;
        String json = Tools.run("nbdinfo", "--map=" + context, "--json", uri);
        List<Extent> extents = new ArrayList<>();
        for (Map<String, String> o : jsonObjects(json)) {
            extents.add(new Extent(Long.parseLong(o.get("offset")), Long.parseLong(o.get("length")),
                    Integer.parseInt(o.get("type"))));
        }
        return extents;
    }

    /** A fresh qcow2 image of {@code size} bytes. */
    static void createQcow2(java.nio.file.Path image, long size) throws Exception {
        Tools.run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), Long.toString(size));
    }

    /** Runs one qemu-io command on a qcow2 image, e.g. {@code write -P 0x5a 1M 64k}. */
    static void qemuIo(java.nio.file.Path image, String... commands) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        cmd.add(image.toString());
        Tools.run(cmd.toArray(String[]::new));
    }

    /** The guest-visible bytes of an image (qemu-img convert to raw). */
    static byte[] rawContents(java.nio.file.Path image, java.nio.file.Path scratch) throws Exception {
        Tools.run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", image.toString(), scratch.toString());
        return java.nio.file.Files.readAllBytes(scratch);
    }
}
