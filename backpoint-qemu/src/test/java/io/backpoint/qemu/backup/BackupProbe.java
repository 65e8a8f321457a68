package io.backpoint.qemu.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.backpoint.api.Domain;
import io.backpoint.qemu.testing.TestVm;
import java.util.ArrayList;
import java.util.List;

/** What backup tests do to a running QEMU behind the driver's back: slow a job down, list what a job left. */
final class BackupProbe {
    private BackupProbe() {}

    /** Limits a backup block job's rate so a test can act while it runs. */
    static void throttle(Domain dom, String disk, long bytesPerSecond) {
        TestVm.qmp(dom, "{\"execute\":\"block-job-set-speed\",\"arguments\":{\"device\":\"" + BackupNames.job(disk)
                + "\",\"speed\":" + bytesPerSecond + "}}");
    }

    /** Names of block nodes, jobs and exports that a backup job left in QEMU. */
    static List<String> leftovers(Domain dom) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : TestVm.qmp(dom, "{\"execute\":\"query-named-block-nodes\",\"arguments\":{\"flat\":true}}")) {
            String name = n.path("node-name").asText();
            if (name.contains("backup")) {
                out.add("node " + name);
            }
            for (JsonNode b : n.path("dirty-bitmaps")) {
                if (b.path("name").asText().startsWith("backup-")) {
                    out.add("bitmap " + name + "/" + b.path("name").asText());
                }
            }
        }
        for (JsonNode j : TestVm.qmp(dom, "{\"execute\":\"query-jobs\"}")) {
            out.add("job " + j.path("id").asText());
        }
        for (JsonNode e : TestVm.qmp(dom, "{\"execute\":\"query-block-exports\"}")) {
            out.add("export " + e.path("id").asText());
        }
        return out;
    }
}
