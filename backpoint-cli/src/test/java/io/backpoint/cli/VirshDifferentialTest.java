package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the same command strings through real {@code virsh -c test:///default} and through
 * backpoint, and compares stdout (creation times of the moment normalised), the error lines of
 * stderr up to their second colon, and the exit status. Skipped when virsh is not installed.
 *
 * <p>{@link #EXCEPTIONS} lists the few cases where Backpoint differs on purpose, each with why
 * and what Backpoint prints instead (checked, so an exception cannot hide a regression).
 */
@ExtendWith(UtcTimeZone.class)
class VirshDifferentialTest {
    /** Checkpoint documents for --redefine, written to the temporary directory. */
    private static final Map<String, String> FILES = Map.of(
            "p1.xml", """
                    <domaincheckpoint>
                      <name>p1</name>
                      <description>first &amp; root</description>
                      <creationTime>1500000000</creationTime>
                      <disks>
                        <disk name='vda' checkpoint='bitmap' bitmap='p1'/>
                      </disks>
                    </domaincheckpoint>
                    """,
            "p2.xml", "<domaincheckpoint><name>p2</name><parent><name>p1</name></parent>"
                    + "<creationTime>1500000060</creationTime></domaincheckpoint>\n",
            "p3.xml", "<domaincheckpoint><creationTime>1500000120</creationTime><name>p3</name>"
                    + "<parent><name>p1</name></parent><disks><disk name='vda' checkpoint='no'/></disks></domaincheckpoint>\n",
            "orphan.xml", "<domaincheckpoint><name>o</name><parent><name>gone</name></parent></domaincheckpoint>\n",
            "broken.xml", "<domaincheckpoint><name>b</name>\n",
            "invalid.xml", "<domaincheckpoint><bogus/></domaincheckpoint>\n",
            "noname.xml", "<domaincheckpoint><description>no name</description></domaincheckpoint>\n");

    private static final String A = "checkpoint-create-as test a; ";
    private static final String AB = "checkpoint-create-as test a; checkpoint-create-as test b; ";
    private static final String ABC = AB + "checkpoint-create-as test c --diskspec vda,checkpoint=no; ";
    private static final String P = "checkpoint-create test p1.xml --redefine; checkpoint-create test p2.xml --redefine; "
            + "checkpoint-create test --xmlfile p3.xml --redefine; ";

    private static final List<String> CASES = List.of(
            // help, exact text for each checkpoint command
            "help checkpoint-create", "help checkpoint-create-as", "help checkpoint-list", "help checkpoint-info",
            "help checkpoint-parent", "help checkpoint-dumpxml", "help checkpoint-delete", "help domstate", "help help",
            "help nosuch", "help ''", "help checkpoint-list extra", "help --foo checkpoint-info", "help a b",
            "checkpoint-list --help", "checkpoint-delete test --help", "checkpoint-list --help=x",
            "help", "help checkpoint", "help list", "help dumpxml",
            // domains
            "list", "list --all", "list --inactive", "list --name", "list --uuid", "list --id", "list --table",
            "list --name --uuid --id", "list --id --name", "list --table --name", "list extra",
            "dumpxml test", "dumpxml test --inactive", "dumpxml test --security-info", "dumpxml 1",
            "dumpxml 6695eb01-f6a4-8304-79aa-97f2502e193f", "dumpxml 6695eb01f6a4830479aa97f2502e193f",
            "dumpxml nosuch", "dumpxml 2", "dumpxml ''", "dumpxml", "dumpxml test --xpath //disk/source/@file",
            "dumpxml test --xpath //devices/disk --wrap",
            "domstate test", "domstate test --reason", "domstate 1 --reason", "domstate nosuch", "domstate",
            // command strings and quoting
            "", " ", ";", "; list", "list;;list --name", "#comment", "list --name # comment", "nosuchcommand",
            "list --all; nosuchcommand", "help nosuch; list --name", "list --name; quit; list --id", "exit",
            "checkpoint-create-as test x --description \"a;b\" --print-xml",
            "checkpoint-create-as test 'x y' --print-xml", "checkpoint-create-as test x\\ y --print-xml",
            "checkpoint-create-as test \"x\\\"y\" --print-xml", "checkpoint-create-as test 'it''s' --print-xml",
            "checkpoint-create-as test a\"b c\"d --print-xml", "checkpoint-create-as test 'a\\nb' --print-xml",
            "checkpoint-create-as test \"a\\nb\" --print-xml", "checkpoint-create-as test x\\;y --print-xml",
            "checkpoint-create-as test 'x;y' --print-xml; list --name", "checkpoint-create-as test \"unterminated",
            "checkpoint-create-as test 'unterminated", "checkpoint-create-as test trailing\\",
            "checkpoint-create-as test\ttab --print-xml", "checkpoint-create-as test a#b --print-xml",
            "checkpoint-create-as test a #b --print-xml",
            // option errors
            "checkpoint-list test --bogus", "checkpoint-list test -x", "checkpoint-list test extra", "checkpoint-list",
            "checkpoint-list test --from", "checkpoint-list test --from=", "checkpoint-list test --parent=1",
            "checkpoint-list test --name --name", "checkpoint-list --domain=test", "checkpoint-list -- test",
            "checkpoint-list test -- --name", "checkpoint-list ''", "checkpoint-create-as test --name",
            "checkpoint-create-as test '' --print-xml", "checkpoint-create-as test --print-xml --description ''",
            "checkpoint-create-as test --print-xml=1", "checkpoint-create-as test a b",
            "checkpoint-create-as test a --description d e",
            // mutually exclusive and required options
            "checkpoint-list test --tree --name", "checkpoint-list test --parent --roots",
            "checkpoint-list test --parent --tree", "checkpoint-list test --roots --tree",
            "checkpoint-list test --roots --from a", "checkpoint-list test --from= --roots",
            "checkpoint-list test --leaves --tree", "checkpoint-list test --no-leaves --tree",
            "checkpoint-list test --descendants", "checkpoint-list nosuch --from=",
            "checkpoint-create test --redefine-validate", A + "checkpoint-delete test a --children --children-only",
            // domain lookup
            "checkpoint-create-as 1 a; checkpoint-info 6695eb01-f6a4-8304-79aa-97f2502e193f a; checkpoint-list test --name",
            "checkpoint-create-as 6695eb01f6a4830479aa97f2502e193f a", "checkpoint-create-as 2 a",
            "checkpoint-create-as nosuch a", "checkpoint-info nosuch a",
            // checkpoint-create-as, --print-xml, diskspecs
            "checkpoint-create-as test --print-xml", "checkpoint-create-as --domain test --name a --description d",
            "checkpoint-create-as test a --print-xml --diskspec vda --diskspec vdb,checkpoint=bitmap,bitmap=foo",
            "checkpoint-create-as test a --print-xml vda,checkpoint=no vdb",
            "checkpoint-create-as test --diskspec a --diskspec=b --print-xml",
            "checkpoint-create-as test --print-xml --diskspec vda,,bitmap=x",
            "checkpoint-create-as test --print-xml --diskspec 'vda,checkpoint=bitmap,bitmap=a,,b'",
            "checkpoint-create-as test --print-xml --diskspec vda,bogus=1",
            "checkpoint-create-as test --print-xml --diskspec vda,checkpoint=no,checkpoint=bitmap",
            "checkpoint-create-as test --print-xml --diskspec vda,", "checkpoint-create-as test --print-xml --diskspec vda,bitmap=",
            "checkpoint-create-as test --print-xml --diskspec vda,checkpoint",
            "checkpoint-create-as test --print-xml --diskspec ,checkpoint=no",
            "checkpoint-create-as test --print-xml --diskspec 'vda,bitmap=a,b'",
            "checkpoint-create-as test --print-xml --description 'a & b <c> \"d\"'",
            "checkpoint-create-as test --diskspec vda,checkpoint=bogus", "checkpoint-create-as test --diskspec vdz",
            "checkpoint-create-as test --diskspec ,checkpoint=no", "checkpoint-create-as test --diskspec ''",
            "checkpoint-create-as test --diskspec vda,checkpoint=bitmap --diskspec vda",
            "checkpoint-create-as test 'bad/name'", "checkpoint-create-as test .dot",
            "checkpoint-create-as test --quiesce a; checkpoint-list test --name",
            // The second is named: two unnamed creates in one second collide (names are seconds),
            // in virsh as in Backpoint, and the two runs need not fall in the same seconds.
            "checkpoint-create-as test; checkpoint-create-as test second --diskspec vda,checkpoint=no; checkpoint-list test --parent",
            A + "checkpoint-create-as test a",
            "checkpoint-create-as test a --diskspec vda,bitmap=b; checkpoint-dumpxml test a --no-domain",
            // checkpoint-create and redefine
            "checkpoint-create test; checkpoint-list test", "checkpoint-create test --quiesce; checkpoint-info test",
            "checkpoint-create test nosuch.xml", "checkpoint-create test --redefine",
            "checkpoint-create test p1.xml --redefine --redefine-validate", "checkpoint-create test p2.xml --redefine",
            "checkpoint-create test orphan.xml --redefine", "checkpoint-create test broken.xml",
            "checkpoint-create test invalid.xml", "checkpoint-create test noname.xml --redefine",
            "checkpoint-create test noname.xml; checkpoint-list test --parent", "checkpoint-create test p1.xml; checkpoint-list test",
            "checkpoint-create test p1.xml --redefine; checkpoint-create test p1.xml --redefine; checkpoint-list test",
            P + "checkpoint-list test --tree; checkpoint-list test --parent; checkpoint-list test --topological --name",
            P + "checkpoint-list test --leaves --name; checkpoint-list test --no-leaves; checkpoint-list test --roots --parent",
            P + "checkpoint-list test --from p1 --name; checkpoint-list test --from p1 --descendants --tree",
            P + "checkpoint-info test p1; checkpoint-info test p3; checkpoint-parent test p3; checkpoint-parent test p1",
            P + "checkpoint-dumpxml test p1; checkpoint-dumpxml test p3 --no-domain",
            P + "checkpoint-create-as test q; checkpoint-list test --parent; checkpoint-info test q",
            P + "checkpoint-list test --roots --topological; checkpoint-list test --from p1 --topological --name",
            P + "checkpoint-create-as test q; checkpoint-delete test p1; checkpoint-list test --topological --parent",
            AB + "checkpoint-create test p1.xml --redefine; checkpoint-create test p2.xml --redefine; "
                    + "checkpoint-list test --roots --topological --name; checkpoint-list test --topological --name",
            // checkpoint-list
            "checkpoint-list test", "checkpoint-list nosuch", "checkpoint-list test --from nosuch",
            ABC + "checkpoint-list test; checkpoint-list test --parent; checkpoint-list test --tree; checkpoint-list test --name",
            ABC + "checkpoint-list test --leaves; checkpoint-list test --no-leaves --name; checkpoint-list test --roots",
            ABC + "checkpoint-list test --from a --tree; checkpoint-list test --from b --tree --topological",
            ABC + "checkpoint-list test --from a --descendants --name; checkpoint-list test --from a --parent",
            ABC + "checkpoint-list test --from a --leaves --name; checkpoint-list test --from a --no-leaves --descendants --name",
            ABC + "checkpoint-list test --leaves --no-leaves; checkpoint-list test --topological --parent",
            "checkpoint-create-as test B; checkpoint-create-as test a; checkpoint-create-as test C; checkpoint-list test --name",
            // info, parent, dumpxml
            A + "checkpoint-info test a", A + "checkpoint-info test", A + "checkpoint-info test a extra",
            A + "checkpoint-info test ''", A + "checkpoint-info test --checkpointname a",
            AB + "checkpoint-parent test b; checkpoint-parent test a", A + "checkpoint-parent test nosuch",
            A + "checkpoint-parent test",
            "checkpoint-create-as test x --description 'tracked <since> \"now\"'; checkpoint-dumpxml test x",
            A + "checkpoint-dumpxml test a --no-domain", A + "checkpoint-dumpxml test a --security-info",
            A + "checkpoint-dumpxml test a --security-info --no-domain", A + "checkpoint-dumpxml test nosuch",
            A + "checkpoint-dumpxml test", A + "checkpoint-dumpxml test a --xpath //disk",
            A + "checkpoint-dumpxml test a --xpath //disk --wrap", A + "checkpoint-dumpxml test a --xpath //nosuch --wrap",
            A + "checkpoint-dumpxml test a --xpath //disk/@bitmap --wrap; checkpoint-dumpxml test a --xpath //name/text()",
            A + "checkpoint-dumpxml test a --xpath 'count(//disk)'", A + "checkpoint-dumpxml test a --xpath 'bad['",
            A + "checkpoint-dumpxml test a --wrap --no-domain", A + "checkpoint-dumpxml test a extra",
            // delete
            ABC + "checkpoint-delete test b; checkpoint-list test --parent",
            ABC + "checkpoint-delete test a --children; checkpoint-list test",
            ABC + "checkpoint-delete test a --children-only; checkpoint-list test --tree",
            ABC + "checkpoint-delete test b --metadata; checkpoint-list test --parent",
            ABC + "checkpoint-delete test a --children --metadata; checkpoint-list test --name",
            A + "checkpoint-delete test nosuch", A + "checkpoint-delete test", A + "checkpoint-delete test --checkpointname a",
            P + "checkpoint-delete test p1; checkpoint-list test --parent",
            // size (exception below)
            A + "checkpoint-dumpxml test a --size --no-domain",
            // an empty --xpath (exception below)
            A + "checkpoint-dumpxml test a --xpath ''");

    /** A documented difference: why, and a check of what Backpoint prints instead. */
    private record Exception(String why, Predicate<CliRun> backpoint) {}

    private static final Map<String, Exception> EXCEPTIONS = Map.of(
            "help", new Exception("lists Backpoint's commands, not virsh's hundreds",
                    r -> r.stdout().contains("    checkpoint-create-as ") && !r.stdout().contains("attach-device")),
            "help ''", new Exception("an empty command name is the global help: Backpoint's commands",
                    r -> r.stdout().startsWith("Grouped commands:") && !r.stdout().contains("attach-device")),
            "help checkpoint", new Exception("no checkpoint-edit (an editor session is out of scope)",
                    r -> r.stdout().contains("checkpoint-parent") && !r.stdout().contains("checkpoint-edit")),
            "help list", new Exception("list takes --inactive --all --uuid --name --id --table only",
                    r -> r.stdout().contains("[--table]") && !r.stdout().contains("--transient")),
            "help dumpxml", new Exception("no --update-cpu or --migratable (no CPU model or migration here)",
                    r -> r.stdout().contains("[--xpath <string>] [--wrap]") && !r.stdout().contains("--migratable")),
            "checkpoint-create test p1.xml --redefine --redefine-validate", new Exception(
                    "the flag error names Backpoint's function, not libvirt's testDomainCheckpointCreateXML",
                    r -> r.stderr().startsWith("error: unsupported flags (0x4) in function ") && r.status() == 1),
            "checkpoint-create-as test --diskspec ''", new Exception(
                    "virsh writes the text '/>' into <disks> for an empty spec; Backpoint writes <disk name=''/>, which the"
                            + " schema refuses the same way",
                    r -> r.stderr().startsWith("error: XML document failed to validate against schema:") && r.status() == 1),
            A + "checkpoint-dumpxml test a --size --no-domain", new Exception(
                    "libvirt 9.0's test driver sets size=1024 but forgets sizeValid, so virsh prints no size; Backpoint does",
                    r -> r.stdout().contains("<disk name='vda' checkpoint='bitmap' bitmap='a' size='1024'/>")),
            "checkpoint-create test broken.xml", new Exception(
                    "a malformed document is reported in Backpoint's words, not libxml2's",
                    r -> r.stderr().startsWith("error: XML error: malformed XML at line 2") && r.status() == 1),
            A + "checkpoint-dumpxml test a --xpath ''", new Exception(
                    "virsh fails without a word; Backpoint says why",
                    r -> r.stderr().contains("error: Failed to get option 'xpath': Option argument is empty")
                            && r.status() == 1));

    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws IOException {
        for (Map.Entry<String, String> f : FILES.entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8);
        }
    }

    @TestFactory
    Stream<DynamicTest> sameAsVirsh() {
        Path virsh = onPath("virsh");
        Assumptions.assumeTrue(virsh != null, "virsh is not installed: differential test skipped");
        assertThat(CASES).hasSizeGreaterThanOrEqualTo(60).doesNotHaveDuplicates();
        assertThat(CASES).containsAll(EXCEPTIONS.keySet());
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.isBlank() ? "(blank: \"" + c + "\")" : c, () -> compare(virsh, c)));
    }

    private static void compare(Path virsh, String commands) throws IOException, InterruptedException {
        long from = System.currentTimeMillis() / 1000;
        CliRun expected = virsh(virsh, commands);
        CliRun actual = CliRun.commands(dir, commands);
        long to = System.currentTimeMillis() / 1000 + 1;
        assertThat(actual.stderr()).as("no internal error").doesNotContain("internal error: java");
        Exception exception = EXCEPTIONS.get(commands);
        if (exception != null) {
            assertThat(exception.backpoint().test(actual))
                    .as("documented difference (%s) no longer as described; backpoint printed %s / %s", exception.why(),
                            actual.stdout(), actual.stderr())
                    .isTrue();
            return;
        }
        assertThat(Times.ofRun(actual.stdout(), from, to)).as("[%s] stdout; stderr was %s", commands, actual.stderr())
                .isEqualTo(Times.ofRun(expected.stdout(), from, to));
        assertThat(CliRun.errorKeys(actual.stderr())).as("[%s] error lines; virsh's stderr: %s; backpoint's: %s",
                commands, expected.stderr(), actual.stderr()).isEqualTo(CliRun.errorKeys(expected.stderr()));
        assertThat(actual.status()).as("[%s] exit status; stderr %s", commands, actual.stderr()).isEqualTo(expected.status());
    }

    private static CliRun virsh(Path virsh, String commands) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(virsh.toString(), "-c", "test:///default", commands).directory(dir.toFile());
        pb.environment().put("TZ", "UTC");
        pb.environment().put("LC_ALL", "C");
        pb.environment().remove("LANGUAGE");
        Path out = Files.createTempFile(dir, "virsh", ".out");
        Path err = Files.createTempFile(dir, "virsh", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("virsh did not finish: " + commands);
        }
        CliRun run = new CliRun(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8),
                p.exitValue());
        Files.delete(out);
        Files.delete(err);
        return run;
    }

    static Path onPath(String program) {
        String path = System.getenv("PATH");
        List<String> dirs = path == null ? List.of() : List.of(path.split(File.pathSeparator));
        List<Path> found = new ArrayList<>();
        for (String d : dirs) {
            Path p = Path.of(d, program);
            if (Files.isExecutable(p)) {
                found.add(p);
            }
        }
        return found.isEmpty() ? null : found.get(0);
    }
}
