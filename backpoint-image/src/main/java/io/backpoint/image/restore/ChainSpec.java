package io.backpoint.image.restore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The qemu block options that read a chain of backups as one disk: the newest incremental on
 * top, its backing overridden to be the incremental before it, and so on down to the full
 * backup. The images themselves are not changed; each incremental still names the live disk
 * as its backing file, and the override is why that file is never opened.
 */
final class ChainSpec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChainSpec() {}

    /**
     * A {@code json:} pseudo-filename for {@code members}, full backup first. JSON rather than
     * key=value so that commas and colons in file names need no escaping.
     */
    static String filename(List<ChainMember> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("empty chain");
        }
        ObjectNode node = null;
        for (ChainMember m : members) {
            ObjectNode layer = JSON.createObjectNode();
            layer.put("driver", m.format().spelling());
            ObjectNode file = layer.putObject("file");
            file.put("driver", m.blockDevice() ? "host_device" : "file");
            file.put("filename", m.path().toString());
            if (node != null && m.format() != ImageFormat.QCOW2) {
                throw new IllegalArgumentException("only qcow2 images can have a backing: " + m.path());
            }
            if (m.format() == ImageFormat.QCOW2) {
                if (node == null) {
                    // The full backup has no backing file (checked); null also makes sure that
                    // a header changed since the check cannot bring one in.
                    layer.putNull("backing");
                } else {
                    layer.set("backing", node);
                }
            }
            node = layer;
        }
        try {
            return "json:" + JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
