package io.backpoint.qemu.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.backpoint.api.Checkpoint;
import io.backpoint.api.Domain;
import io.backpoint.image.restore.BackupRecord;
import io.backpoint.image.restore.FileContent;
import io.backpoint.qemu.testing.TestVm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What must hold after a kill and the next call: checkpoint metadata and bitmaps match on every
 * disk; QEMU has no backup node, job, export, NBD server or temporary bitmap left; the state
 * directory has no temporary file, intent or job record; the output directory has no temporary,
 * scratch, socket or half-restored file, and every backup target has a record its content matches.
 */
final class CrashState {
    private CrashState() {}

    static void check(Domain dom, Path state, Path out, String context) throws IOException {
        Set<String> names = new TreeSet<>();
        for (Checkpoint c : dom.listCheckpoints(0)) {
            names.add(c.name());
        }
        List<String> leftovers = new ArrayList<>();
        for (JsonNode n : TestVm.qmp(dom, "{\"execute\":\"query-named-block-nodes\",\"arguments\":{\"flat\":true}}")) {
            String node = n.path("node-name").asText();
            if (node.contains("backup")) {
                leftovers.add("node " + node);
            }
            if (node.matches("bp-vd[a-z]-format")) {
                Set<String> bitmaps = new TreeSet<>();
                for (JsonNode b : n.path("dirty-bitmaps")) {
                    bitmaps.add(b.path("name").asText());
                }
                assertThat(bitmaps).as("%s: bitmaps of %s match the checkpoints", context, node).isEqualTo(names);
            }
        }
        for (JsonNode j : TestVm.qmp(dom, "{\"execute\":\"query-jobs\"}")) {
            leftovers.add("job " + j.path("id").asText());
        }
        for (JsonNode e : TestVm.qmp(dom, "{\"execute\":\"query-block-exports\"}")) {
            leftovers.add("export " + e.path("id").asText());
        }
        // No query for the NBD server: stopping it succeeds only if one runs.
        if (!TestVm.qmp(dom, "{\"execute\":\"nbd-server-stop\"}").has("error")) {
            leftovers.add("NBD server");
        }
        assertThat(leftovers).as("%s: left in QEMU", context).isEmpty();
        assertThat(files(state).stream().filter(f -> f.endsWith(".tmp") || f.endsWith("/.intent")
                || f.endsWith("/job.xml")).toList()).as("%s: left in the state directory", context).isEmpty();
        assertThat(files(out).stream().filter(f -> f.endsWith(".tmp") || f.endsWith(".restoring")
                || f.endsWith(".sock") || f.endsWith(".scratch")).toList()).as("%s: left in the output directory", context)
                .isEmpty();
        for (String f : files(out)) {
            if (f.endsWith(".target")) {
                Path target = Path.of(f);
                BackupRecord record = BackupRecord.read(target).orElse(null);
                assertThat(record).as("%s: record of %s", context, f).isNotNull();
                assertThat(FileContent.of(target)).as("%s: content of %s", context, f).isEqualTo(record.content());
            }
        }
    }

    static List<String> files(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !Files.isDirectory(p)).map(Path::toString).toList();
        }
    }
}
