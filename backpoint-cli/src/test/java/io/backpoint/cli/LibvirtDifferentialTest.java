package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same scripts through {@code virsh -c qemu:///system} and {@code backpoint -c qemu:///system}
 * against a real libvirtd, each on a fresh transient domain: identical stdout (times of the moment
 * and elapsed milliseconds normalised), identical error lines and exit status. A script is a list
 * of steps; a step is one command string run by each tool, a guest write ({@code !write PATTERN
 * OFFSET LENGTH}) or a wait for a push job to end ({@code !wait}). Skipped when libvirtd is not
 * reachable (CI starts it).
 */
@ExtendWith(UtcTimeZone.class)
class LibvirtDifferentialTest {
    private static final String D = "bp-diff";

    @TempDir
    static Path dir;

    private static final Map<String, List<String>> SCRIPTS = new LinkedHashMap<>();

    static {
        SCRIPTS.put("create, list and tree", List.of(
                "checkpoint-create-as bp-diff c1; checkpoint-create-as bp-diff c2 --description 'second one'",
                "checkpoint-create-as bp-diff c3",
                "checkpoint-list bp-diff; checkpoint-list bp-diff --tree; checkpoint-list bp-diff --parent",
                "checkpoint-list bp-diff --roots; checkpoint-list bp-diff --leaves; checkpoint-list bp-diff --no-leaves",
                "checkpoint-list bp-diff --topological; checkpoint-list bp-diff --name; checkpoint-list bp-diff --from c1",
                "checkpoint-list bp-diff --from c1 --descendants --name",
                "checkpoint-info bp-diff c1; checkpoint-info bp-diff c3; checkpoint-parent bp-diff c3; checkpoint-parent bp-diff c1"));
        SCRIPTS.put("dumpxml and size", List.of(
                "checkpoint-create-as bp-diff c1 --description 'a & b'",
                "!write 0xab 0 1M",
                "!write 0xcd 4M 2M",
                "checkpoint-dumpxml bp-diff c1 --no-domain; checkpoint-dumpxml bp-diff c1 --size --no-domain",
                "checkpoint-dumpxml bp-diff c1; checkpoint-dumpxml bp-diff c1 --security-info --no-domain",
                "checkpoint-create-as bp-diff c2 --print-xml; checkpoint-create-as bp-diff --diskspec vda,checkpoint=bitmap,bitmap=bm --print-xml"));
        SCRIPTS.put("delete", List.of(
                "checkpoint-create-as bp-diff a; checkpoint-create-as bp-diff b; checkpoint-create-as bp-diff c",
                "checkpoint-delete bp-diff b; checkpoint-list bp-diff --parent",
                "checkpoint-delete bp-diff a --children-only; checkpoint-list bp-diff",
                "checkpoint-create-as bp-diff d; checkpoint-delete bp-diff a --metadata; checkpoint-list bp-diff --parent",
                "checkpoint-create-as bp-diff e; checkpoint-delete bp-diff d --children; checkpoint-list bp-diff"));
        SCRIPTS.put("errors", List.of(
                "checkpoint-info bp-diff nope; checkpoint-parent bp-diff nope; checkpoint-dumpxml bp-diff nope",
                "checkpoint-delete bp-diff nope",
                "checkpoint-create-as bp-diff c1; checkpoint-create-as bp-diff c1",
                "checkpoint-create-as bp-nosuch x; checkpoint-list bp-nosuch",
                "checkpoint-parent bp-diff c1",
                "checkpoint-delete bp-diff c1 --children --children-only",
                "backup-dumpxml bp-diff; domjobabort bp-diff; domjobinfo bp-diff; domjobinfo bp-diff --completed",
                "backup-begin bp-diff missing.xml",
                "backup-begin bp-diff incnope.xml",
                "checkpoint-create bp-diff redefine-orphan.xml --redefine"));
        SCRIPTS.put("push backups", List.of(
                "!write 0x11 0 4M",
                "backup-begin bp-diff full.xml --checkpointxml b1.xml",
                "!wait",
                "domjobinfo bp-diff --completed --keep-completed; domjobinfo bp-diff --completed",
                "!write 0x22 1M 1M",
                "checkpoint-dumpxml bp-diff b1 --size --no-domain",
                "backup-begin bp-diff inc.xml --checkpointxml b2.xml",
                "!wait",
                "domjobinfo bp-diff --completed; checkpoint-list bp-diff --tree; checkpoint-info bp-diff b2",
                "backup-begin bp-diff full.xml"));
        SCRIPTS.put("pull backup and abort", List.of(
                "checkpoint-create-as bp-diff c1",
                "!write 0x33 0 1M",
                "backup-begin bp-diff pull.xml; backup-dumpxml bp-diff; domjobinfo bp-diff",
                "backup-begin bp-diff pull.xml",
                // libvirt ends an aborted pull job asynchronously: wait, so both tools see it ended.
                "domjobabort bp-diff",
                "!wait",
                "domjobinfo bp-diff --completed; backup-dumpxml bp-diff; domjobabort bp-diff",
                "domstate bp-diff; domstate bp-diff --reason; list --name"));
    }

    private static final Map<String, String> FILES = Map.of(
            "full.xml", "<domainbackup mode='push'><disks><disk name='vda' type='file'><target file='OUT/full.qcow2'/>"
                    + "<driver type='qcow2'/></disk></disks></domainbackup>",
            "inc.xml", "<domainbackup mode='push'><incremental>b1</incremental><disks><disk name='vda' type='file'>"
                    + "<target file='OUT/inc.qcow2'/><driver type='qcow2'/></disk></disks></domainbackup>",
            "incnope.xml", "<domainbackup mode='push'><incremental>nope</incremental><disks><disk name='vda' type='file'>"
                    + "<target file='OUT/inc.qcow2'/><driver type='qcow2'/></disk></disks></domainbackup>",
            "pull.xml", "<domainbackup mode='pull'><incremental>c1</incremental><server transport='unix' socket='OUT/nbd.sock'/>"
                    + "<disks><disk name='vda' type='file'><scratch file='OUT/scratch.qcow2'/></disk></disks></domainbackup>",
            "b1.xml", "<domaincheckpoint><name>b1</name></domaincheckpoint>",
            "b2.xml", "<domaincheckpoint><name>b2</name><description>second</description></domaincheckpoint>",
            "redefine-orphan.xml", "<domaincheckpoint><name>o</name><parent><name>gone</name></parent>"
                    + "<creationTime>1500000000</creationTime></domaincheckpoint>");

    @BeforeAll
    static void files() throws IOException {
        for (Map.Entry<String, String> f : FILES.entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), f.getValue().replace("OUT", dir.resolve("out").toString()) + "\n",
                    StandardCharsets.UTF_8);
        }
    }

    @TestFactory
    Stream<DynamicTest> sameAsVirsh() {
        LibvirtTestDomain.assumeReachable();
        return SCRIPTS.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> compare(e.getValue())));
    }

    private static void compare(List<String> script) throws Exception {
        long from = System.currentTimeMillis() / 1000;
        List<CliRun> expected = play(script, false);
        List<CliRun> actual = play(script, true);
        long to = System.currentTimeMillis() / 1000 + 1;
        int step = 0;
        for (int i = 0; i < script.size(); i++) {
            if (script.get(i).startsWith("!")) {
                continue;
            }
            CliRun v = expected.get(step);
            CliRun b = actual.get(step);
            step++;
            String s = script.get(i);
            assertThat(b.stderr()).as("no internal error").doesNotContain("internal error: java");
            assertThat(normal(b.stdout(), from, to)).as("[%s] stdout; backpoint's stderr: %s", s, b.stderr())
                    .isEqualTo(normal(v.stdout(), from, to));
            assertThat(b.stderr()).as("[%s] error lines", s).isEqualTo(v.stderr());
            assertThat(b.status()).as("[%s] exit status; stderr: %s", s, b.stderr()).isEqualTo(v.status());
        }
    }

    /** Runs the script on a fresh domain with virsh or backpoint; the runs of its command steps. */
    private static List<CliRun> play(List<String> script, boolean backpoint) throws Exception {
        clearOut();
        List<CliRun> runs = new ArrayList<>();
        try (LibvirtTestDomain dom = LibvirtTestDomain.start(dir, D)) {
            for (String step : script) {
                if (step.equals("!wait")) {
                    dom.awaitNoJob();
                } else if (step.startsWith("!write ")) {
                    String[] w = step.split(" ");
                    dom.write(Integer.decode(w[1]), w[2], w[3]);
                } else if (backpoint) {
                    runs.add(CliRun.of(dir, "", "-c", LibvirtTestDomain.URI, step));
                } else {
                    runs.add(LibvirtTestDomain.virsh(dir, "-c", LibvirtTestDomain.URI, step));
                }
            }
            // A pull job left running must not outlive the script: destroying the domain ends it.
        }
        return runs;
    }

    private static void clearOut() throws IOException {
        Path out = dir.resolve("out");
        if (Files.exists(out)) {
            try (Stream<Path> files = Files.walk(out)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(out);
    }

    private static String normal(String text, long from, long to) {
        return Times.ofRun(text, from, to).replaceAll("(Time elapsed: +)\\d+ +ms", "$1<MS> ms");
    }
}
