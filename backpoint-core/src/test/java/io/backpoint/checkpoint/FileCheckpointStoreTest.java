package io.backpoint.checkpoint;

import static io.backpoint.testing.Errors.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.driver.CheckpointStore;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.CheckpointDef;
import io.backpoint.vocab.CheckpointCreateFlag;
import io.backpoint.vocab.CheckpointDeleteFlag;
import io.backpoint.vocab.CheckpointListFlag;
import io.backpoint.vocab.CheckpointXmlFlag;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The checkpoint engine over files: one file per checkpoint under
 * {@code <state>/checkpoint/<domain>/}, reloaded by a new service (a restarted process), damaged
 * files reported by name and left alone, unsafe names refused.
 */
class FileCheckpointStoreTest {
    private static final String DOM = "test";
    private static final Set<CheckpointCreateFlag> NONE = EnumSet.noneOf(CheckpointCreateFlag.class);
    private static final Set<CheckpointCreateFlag> REDEFINE = EnumSet.of(CheckpointCreateFlag.REDEFINE);
    private static final Set<CheckpointXmlFlag> SECURE = EnumSet.of(CheckpointXmlFlag.SECURE);

    @TempDir
    Path state;

    private long seconds = 1_700_000_000L;

    /** A service over a fresh driver on the same state directory: what a new process sees. */
    private CheckpointService service() {
        seconds += 10;
        return new CheckpointService(new FileStoreDriver(state, Clock.fixed(Instant.ofEpochSecond(seconds), ZoneOffset.UTC)));
    }

    private Path dir() {
        return FileStoreDriver.checkpointDir(state, DOM);
    }

    private Path file(String name) {
        return dir().resolve(name + ".xml");
    }

    private static String create(CheckpointService s, String name) {
        return s.create(DOM, "<domaincheckpoint><name>" + name + "</name></domaincheckpoint>", NONE);
    }

    private static String redefine(CheckpointService s, String name, String parent) {
        return s.create(DOM, "<domaincheckpoint><name>" + name + "</name>"
                + (parent == null ? "" : "<parent><name>" + parent + "</name></parent>")
                + "<creationTime>5</creationTime></domaincheckpoint>", REDEFINE);
    }

    private static List<String> topological(CheckpointService s) {
        return s.list(DOM, null, EnumSet.of(CheckpointListFlag.TOPOLOGICAL));
    }

    /** The parent of a checkpoint created now, i.e. the current checkpoint; the probe is removed again. */
    private static String current(CheckpointService s) {
        String probe = create(s, "probe");
        String parent = s.definition(DOM, probe).parentName();
        s.delete(DOM, probe, EnumSet.noneOf(CheckpointDeleteFlag.class));
        return parent;
    }

    private List<String> dirListing() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir())) {
            files.forEach(f -> out.add(f.getFileName().toString()));
        }
        return out;
    }

    @Test
    void eachCheckpointIsAFileWithItsDomain() throws IOException {
        CheckpointService s = service();
        create(s, "a");
        s.create(DOM, "<domaincheckpoint><name>b</name><description>second</description></domaincheckpoint>", NONE);
        assertThat(dirListing()).filteredOn(n -> n.endsWith(".xml")).containsExactlyInAnyOrder("a.xml", "b.xml");
        assertThat(dirListing()).as("no temporary files left behind").noneMatch(n -> n.endsWith(".tmp"));

        String b = Files.readString(file("b"));
        assertThat(b).isEqualTo(s.xml(DOM, "b", SECURE));
        assertThat(b).contains("<parent>\n    <name>a</name>\n  </parent>")
                .contains("<description>second</description>")
                .contains("<domain type='test'>")
                .contains("<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>")
                .contains("<disk name='vda' checkpoint='bitmap' bitmap='b'/>");
        assertThat(Files.readString(file("a"))).doesNotContain("<parent>");
    }

    @Test
    void aNewServiceSeesTheSameTreeAndCurrent() {
        CheckpointService first = service();
        create(first, "a");
        create(first, "b");
        create(first, "c");
        redefine(first, "side", "a");
        assertThat(first.problems(DOM)).isEmpty();
        // Same parent links and documents; a branch leaves no unique leaf, so no current.
        CheckpointService second = service();
        assertThat(second.list(DOM, null, Set.of())).containsExactlyInAnyOrder("a", "b", "c", "side");
        for (String n : List.of("a", "b", "c", "side")) {
            assertThat(second.xml(DOM, n, SECURE)).isEqualTo(first.xml(DOM, n, SECURE));
        }
        assertThat(topological(second).indexOf("a")).isZero();
        assertThat(current(second)).isNull();

        // Without the branch the single leaf is current again.
        second.delete(DOM, "side", EnumSet.noneOf(CheckpointDeleteFlag.class));
        CheckpointService third = service();
        assertThat(topological(third)).containsExactly("a", "b", "c");
        assertThat(current(third)).isEqualTo("c");
    }

    @Test
    void deletesAreWrittenThrough() {
        CheckpointService s = service();
        create(s, "a");
        create(s, "b");
        create(s, "c");
        create(s, "d");
        s.delete(DOM, "b", EnumSet.noneOf(CheckpointDeleteFlag.class));
        assertThat(file("b")).doesNotExist();
        assertThat(Files.exists(file("c"))).isTrue();
        CheckpointService reloaded = service();
        assertThat(reloaded.parent(DOM, "c")).isEqualTo("a");
        assertThat(reloaded.xml(DOM, "c", SECURE)).isEqualTo(s.xml(DOM, "c", SECURE));

        reloaded.delete(DOM, "a", EnumSet.of(CheckpointDeleteFlag.CHILDREN_ONLY));
        assertThat(file("c")).doesNotExist();
        assertThat(file("d")).doesNotExist();
        assertThat(service().list(DOM, null, Set.of())).containsExactly("a");
        assertThat(current(service())).isEqualTo("a");
    }

    @Test
    void anotherProcessesWritesAreSeen() {
        CheckpointService one = service();
        CheckpointService two = service();
        create(one, "a");
        create(two, "b");
        assertThat(two.parent(DOM, "b")).isEqualTo("a");
        create(one, "c");
        assertThat(one.parent(DOM, "c")).as("one reloaded after two wrote").isEqualTo("b");
        two.delete(DOM, "c", EnumSet.noneOf(CheckpointDeleteFlag.class));
        assertThat(one.list(DOM, null, Set.of())).containsExactlyInAnyOrder("a", "b");
    }

    /**
     * Ways a stored file can be damaged. State files are read without the schema (as libvirt
     * reads its own), so the ones after EMPTY, which the schema used to catch, are caught by the
     * hardened parser and the state reader's own checks. Those from NEGATIVE_CREATION_TIME on are
     * values that would reach paths, QMP and QEMU's command line (a comma there adds options).
     */
    enum Damage { GARBAGE, TRUNCATED, FOREIGN_NAME, EMPTY, UNNAMED_DISK, NOT_A_DISK, UNKNOWN_CHECKPOINT_TYPE,
        UNSAFE_PARENT, NO_CREATION_TIME, ENTITY, UNSAFE_NAME, NEGATIVE_CREATION_TIME, SPACED_CREATION_TIME,
        UNSAFE_DISK_NAME, BITMAP_WITH_COMMA, SIZE_NOT_DIGITS, RELATIVE_SOURCE, TARGET_INJECTION, BAD_UUID,
        UNKNOWN_DISK_TYPE, MULTI_LINE_DOMAIN_NAME }

    private static byte[] damaged(Damage damage, byte[] good) {
        String text = new String(good, StandardCharsets.UTF_8);
        String bad = switch (damage) {
            case GARBAGE -> "this is not XML \u0000\u0001";
            case TRUNCATED -> text.substring(0, text.length() / 2);
            case FOREIGN_NAME -> text.replace("<name>c</name>", "<name>other</name>");
            case EMPTY -> "";
            case UNNAMED_DISK -> text.replace("<disk name='vda' ", "<disk ");
            case NOT_A_DISK -> text.replace("<disk name='vda' ", "<volume name='vda' ");
            case UNKNOWN_CHECKPOINT_TYPE -> text.replace("checkpoint='bitmap'", "checkpoint='maybe'");
            case UNSAFE_PARENT -> text.replace("<name>b</name>", "<name>../b</name>");
            case NO_CREATION_TIME -> text.replaceAll("<creationTime>[0-9]+</creationTime>", "");
            case ENTITY -> "<!DOCTYPE domaincheckpoint [<!ENTITY e SYSTEM 'file:///etc/hostname'>]>\n"
                    + text.replace("<description>", "<description>&e;");
            case UNSAFE_NAME -> text.replace("<name>c</name>", "<name>c/../c</name>");
            case NEGATIVE_CREATION_TIME -> text.replaceAll("<creationTime>[0-9]+</creationTime>", "<creationTime>-5</creationTime>");
            case SPACED_CREATION_TIME -> text.replaceAll("<creationTime>([0-9]+)</creationTime>", "<creationTime> $1 </creationTime>");
            case UNSAFE_DISK_NAME -> text.replace("<disk name='vda' ", "<disk name='../../x' ");
            case BITMAP_WITH_COMMA -> text.replace("bitmap='c'", "bitmap='a b,c'");
            case SIZE_NOT_DIGITS -> text.replace("bitmap='c'", "bitmap='c' size='-1'");
            case RELATIVE_SOURCE -> text.replace("<source file='/guest/diskimage1'/>", "<source file='rel/../x.qcow2'/>");
            case TARGET_INJECTION -> text.replace("<target dev='vda' bus='virtio'/>", "<target dev='vda,file=/etc/shadow' bus='virtio'/>");
            case BAD_UUID -> text.replaceAll("<uuid>[^<]+</uuid>", "<uuid>zz</uuid>");
            case UNKNOWN_DISK_TYPE -> text.replace("<disk type='file' ", "<disk type='pipe' ");
            case MULTI_LINE_DOMAIN_NAME -> text.replaceAll("<name>test</name>", "<name>test&#10;x</name>");
        };
        assertThat(bad).as("the damage applies").isNotEqualTo(text);
        return bad.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void aDamagedFileIsReportedByNameAndLeftAlone(Damage kind) throws IOException {
        CheckpointService s = service();
        create(s, "a");
        create(s, "b");
        s.create(DOM, "<domaincheckpoint><name>c</name><description>third</description></domaincheckpoint>", NONE);
        byte[] bad = damaged(kind, Files.readAllBytes(file("c")));
        Files.write(file("c"), bad);

        CheckpointStore.Loaded loaded = new FileCheckpointStore(dir()).load();
        assertThat(loaded.problems()).hasSize(1);
        assertThat(loaded.problems().get(0)).contains(file("c").toString()).contains("damaged");
        assertThat(loaded.defs()).extracting(CheckpointDef::name).containsExactlyInAnyOrder("a", "b");

        CheckpointService fresh = service();
        assertThat(fresh.list(DOM, null, Set.of())).containsExactlyInAnyOrder("a", "b");
        assertThat(fresh.problems(DOM)).singleElement().asString().contains(file("c").toString()).contains("damaged");
        assertError(() -> create(fresh, "c"), ErrorCode.OPERATION_FAILED, file("c").toString(), "damaged");
        assertError(() -> redefine(fresh, "c", "a"), ErrorCode.OPERATION_FAILED, file("c").toString());
        assertError(() -> fresh.delete(DOM, "c", EnumSet.noneOf(CheckpointDeleteFlag.class)),
                ErrorCode.NO_DOMAIN_CHECKPOINT, "'c'");
        fresh.delete(DOM, "a", EnumSet.of(CheckpointDeleteFlag.CHILDREN));
        create(fresh, "d");
        assertThat(fresh.list(DOM, null, Set.of())).containsExactly("d");
        assertThat(fresh.problems(DOM)).as("still reported after writes").hasSize(1);

        assertThat(Files.readAllBytes(file("c"))).as("never overwritten").isEqualTo(bad);
        assertThat(new FileCheckpointStore(dir()).load().problems()).as("still reported").hasSize(1);
    }

    /**
     * libvirt does not validate its own state when it loads it, nor do we (validating every
     * stored checkpoint on every call cost a schema compile and milliseconds per checkpoint):
     * an element the schema does not know, say from a later version, is ignored.
     */
    @Test
    void stateFilesAreReadWithoutTheSchema() throws IOException {
        CheckpointService s = service();
        create(s, "a");
        create(s, "b");
        Files.writeString(file("b"), Files.readString(file("b")).replace("</domaincheckpoint>",
                "  <laterVersion/>\n</domaincheckpoint>"));
        CheckpointStore.Loaded loaded = new FileCheckpointStore(dir()).load();
        assertThat(loaded.problems()).isEmpty();
        assertThat(loaded.defs()).extracting(CheckpointDef::name).containsExactlyInAnyOrder("a", "b");
        assertThat(service().parent(DOM, "b")).isEqualTo("a");
    }

    @Test
    void aDamagedFileSurvivesADriverThatMakesANewStorePerCall() throws IOException {
        CheckpointService s = service();
        create(s, "a");
        create(s, "c");
        Files.writeString(file("c"), "garbage");
        CheckpointService stateless = new CheckpointService(new FileStoreDriver(state, Clock.systemUTC(), true));
        assertThat(stateless.list(DOM, null, Set.of())).containsExactly("a");
        assertError(() -> create(stateless, "c"), ErrorCode.OPERATION_FAILED, file("c").toString(), "damaged");
        assertError(() -> redefine(stateless, "c", null), ErrorCode.OPERATION_FAILED, file("c").toString());
        assertThat(Files.readString(file("c"))).isEqualTo("garbage");
        // Replacing a good file it did not load is still fine.
        stateless.create(DOM, "<domaincheckpoint><name>a</name><description>edited</description>"
                + "<creationTime>5</creationTime></domaincheckpoint>", REDEFINE);
        assertThat(Files.readString(file("a"))).contains("<description>edited</description>");
    }

    @Test
    void aDamagedParentLeavesItsChildrenLoaded() throws IOException {
        CheckpointService s = service();
        create(s, "a");
        create(s, "b");
        create(s, "c");
        Files.writeString(file("b"), "<domaincheckpoint><name>b</name>");
        CheckpointService fresh = service();
        assertThat(fresh.list(DOM, null, Set.of())).containsExactlyInAnyOrder("a", "c");
        assertThat(fresh.problems(DOM)).hasSize(2)
                .anyMatch(p -> p.contains(file("b").toString()))
                .anyMatch(p -> p.contains("c") && p.contains("lacks parent b"));
        assertThat(fresh.definition(DOM, "c").parentName()).isEqualTo("b");
        // Inconsistent relations: no current, so a new checkpoint is a root.
        assertThat(current(fresh)).isNull();
        assertThat(Files.readString(file("b"))).isEqualTo("<domaincheckpoint><name>b</name>");
    }

    @Test
    void strayFilesAreIgnoredOrReported() throws IOException {
        CheckpointService s = service();
        create(s, "a");
        Files.writeString(dir().resolve(".a.xml.12345.tmp"), "<domaincheckpoint><name>a</name>");
        Files.writeString(dir().resolve("notes.txt"), "not a checkpoint");
        Files.writeString(dir().resolve("bad name.xml"), "junk");
        CheckpointStore.Loaded loaded = new FileCheckpointStore(dir()).load();
        assertThat(loaded.defs()).extracting(CheckpointDef::name).containsExactly("a");
        assertThat(loaded.problems()).singleElement().asString().contains("bad name.xml");
        CheckpointService fresh = service();
        assertThat(fresh.list(DOM, null, Set.of())).containsExactly("a");
        assertThat(fresh.problems(DOM)).singleElement().asString().contains("bad name.xml");
        assertThat(Files.readString(dir().resolve("bad name.xml"))).isEqualTo("junk");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape", "a/b", ".hidden", "..", "", "a b", "x\u0000y", "/abs"})
    void unsafeNamesAreRefusedByTheStore(String name) throws IOException {
        Files.createDirectories(dir());
        Path victim = state.resolve("checkpoint").resolve("escape.xml");
        Files.writeString(victim, "keep");
        FileCheckpointStore store = new FileCheckpointStore(dir());
        CheckpointDef def = new CheckpointDef(name, null, null, 5, List.of(), null);
        assertError(() -> store.save(def), ErrorCode.INVALID_ARG, "invalid checkpoint name");
        assertError(() -> store.delete(name), ErrorCode.INVALID_ARG, "invalid checkpoint name");
        assertThat(Files.readString(victim)).isEqualTo("keep");
        assertThat(dirListing()).noneMatch(n -> n.endsWith(".xml"));
    }

    @Test
    void namesTooLongForAFileAreRefusedAndNothingIsKept() throws IOException {
        CheckpointService s = service();
        String longest = "n".repeat(225);
        create(s, longest);
        assertThat(Files.exists(file(longest))).isTrue();
        String tooLong = "n".repeat(226);
        assertError(() -> create(s, tooLong), ErrorCode.INVALID_ARG, "invalid checkpoint name");
        assertError(() -> create(s, "x/y"), ErrorCode.XML_INVALID_SCHEMA);
        assertThat(s.list(DOM, null, Set.of())).containsExactly(longest);
        assertThat(service().list(DOM, null, Set.of())).containsExactly(longest);
    }

    @Test
    void anUnknownDomainIsRefused() {
        CheckpointService s = service();
        assertError(() -> s.create("nope", "<domaincheckpoint/>", NONE), ErrorCode.NO_DOMAIN, "'nope'");
        assertError(() -> s.list("nope", null, Set.of()), ErrorCode.NO_DOMAIN, "'nope'");
        assertThat(Files.exists(state.resolve("checkpoint"))).isFalse();
    }
}
