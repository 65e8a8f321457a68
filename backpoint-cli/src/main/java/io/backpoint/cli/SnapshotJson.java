package io.backpoint.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.repo.DiskIndex;
import io.backpoint.repo.Snapshot;
import java.io.PrintStream;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * A snapshot as scripts read it (issue 11): id, domain, time (ISO 8601), and per disk name, mode,
 * reason (when full), size, bytesRead, bytesStored; and as people read it.
 */
final class SnapshotJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SnapshotJson() {
    }

    static ObjectNode node(Snapshot s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", s.id());
        o.put("domain", s.domain());
        o.put("time", DateTimeFormatter.ISO_INSTANT.format(s.time()));
        ArrayNode disks = o.putArray("disks");
        for (DiskIndex d : s.disks()) {
            ObjectNode n = disks.addObject();
            n.put("name", d.name());
            n.put("mode", d.mode().json());
            if (d.reason() != null) {
                n.put("reason", d.reason());
            }
            n.put("size", d.size());
            n.put("bytesRead", d.bytesRead());
            n.put("bytesStored", d.bytesStored());
        }
        return o;
    }

    static String format(Snapshot s) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node(s));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void summary(Snapshot s, PrintStream out) {
        out.println("snapshot " + s.id() + " of '" + s.domain() + "' committed");
        for (DiskIndex d : s.disks()) {
            out.println(String.format(Locale.ROOT, "  %-8s %-11s size %s  read %s  stored %s", d.name(), d.mode().json(),
                    mib(d.size()), mib(d.bytesRead()), mib(d.bytesStored())));
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
    }
}
