package io.backpoint.api;

import static io.backpoint.testing.Errors.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.driver.test.TestDriver;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.vocab.CheckpointCreateFlag;
import io.backpoint.vocab.CheckpointDeleteFlag;
import io.backpoint.vocab.CheckpointListFlag;
import io.backpoint.vocab.CheckpointXmlFlag;
import io.backpoint.vocab.DomainState;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * libvirt's checkpoint semantics on {@code test:///default}, through the public API only. The
 * expected messages are the ones {@code virsh -c test:///default} prints for the same calls.
 */
class CheckpointApiTest {
    private static final long T0 = 1_700_000_000L;
    private static final String UUID = "6695eb01-f6a4-8304-79aa-97f2502e193f";
    private static final String EMPTY = "<domaincheckpoint/>";

    private final StepClock clock = new StepClock(T0);
    private Connection conn;
    private Domain dom;

    /** A clock the test moves by hand, so default names and creation times are exact. */
    static final class StepClock extends Clock {
        private long seconds;

        StepClock(long seconds) {
            this.seconds = seconds;
        }

        void advance(long by) {
            seconds += by;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochSecond(seconds);
        }
    }

    @BeforeEach
    void open() {
        conn = Connection.of(TestDriver.open(URI.create("test:///default"), clock));
        dom = conn.domainByName("test");
    }

    // ---- helpers

    private Checkpoint create(String name) {
        return dom.createCheckpoint("<domaincheckpoint><name>" + name + "</name></domaincheckpoint>", 0);
    }

    private Checkpoint redefine(String name, String parent) {
        return dom.createCheckpoint(redefineXml(name, parent, null), CheckpointCreateFlag.REDEFINE.bit());
    }

    private static String redefineXml(String name, String parent, String description) {
        StringBuilder xml = new StringBuilder("<domaincheckpoint>");
        if (name != null) {
            xml.append("<name>").append(name).append("</name>");
        }
        if (description != null) {
            xml.append("<description>").append(description).append("</description>");
        }
        if (parent != null) {
            xml.append("<parent><name>").append(parent).append("</name></parent>");
        }
        xml.append("<creationTime>").append(T0 - 100).append("</creationTime></domaincheckpoint>");
        return xml.toString();
    }

    private String parentOf(String name) {
        return dom.checkpoint(name).parent().name();
    }

    private static List<String> names(List<Checkpoint> cps) {
        List<String> out = new ArrayList<>();
        for (Checkpoint c : cps) {
            out.add(c.name());
        }
        return out;
    }

    private List<String> list(int flags) {
        return names(dom.listCheckpoints(flags));
    }

    private List<String> children(String name, int flags) {
        return names(dom.checkpoint(name).children(flags));
    }

    /** Parent of the next checkpoint created, which is how "current" shows through the API. */
    private String currentSeenByNextCreate() {
        clock.advance(1);
        Checkpoint probe = dom.createCheckpoint(EMPTY, 0);
        String parent;
        try {
            parent = probe.parent().name();
        } catch (BackpointException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.NO_DOMAIN_CHECKPOINT);
            parent = null;
        }
        probe.delete(0);
        return parent;
    }

    /** a - b - c and b - d, then a second root r - s; current stays c. */
    private void buildForest() {
        create("a");
        create("b");
        create("c");
        redefine("d", "b");
        redefine("r", null);
        redefine("s", "r");
    }

    // ---- create

    @Test
    void defaultNameAndCreationTimeComeFromTheClock() {
        Checkpoint first = dom.createCheckpoint(EMPTY, 0);
        assertThat(first.name()).isEqualTo(Long.toString(T0));
        assertThat(first.definition().creationTime()).isEqualTo(T0);
        assertThat(first.xmlDesc(0)).contains("<creationTime>" + T0 + "</creationTime>");

        clock.advance(7);
        Checkpoint second = dom.createCheckpoint(EMPTY, 0);
        assertThat(second.name()).isEqualTo(Long.toString(T0 + 7));
        assertThat(second.parent()).isEqualTo(first);

        // Same second, same default name: libvirt's name conflict.
        assertError(() -> dom.createCheckpoint(EMPTY, 0), ErrorCode.OPERATION_FAILED,
                "operation failed: domain moment " + (T0 + 7) + " already exists");
        assertThat(list(0)).hasSize(2);
    }

    @Test
    void aNewCheckpointsParentIsTheCurrentOne() {
        Checkpoint a = create("a");
        Checkpoint b = create("b");
        Checkpoint c = create("c");
        assertThat(c.parent()).isEqualTo(b);
        assertThat(b.parent()).isEqualTo(a);
        assertError(a::parent, ErrorCode.NO_DOMAIN_CHECKPOINT,
                "Domain checkpoint not found: checkpoint 'a' does not have a parent");
        assertThat(c.domain()).isSameAs(dom);
    }

    @Test
    void createIgnoresParentCreationTimeAndDomainOfTheInput() {
        create("a");
        Checkpoint x = dom.createCheckpoint("<domaincheckpoint><name>x</name><parent><name>zz</name></parent>"
                + "<creationTime>5</creationTime></domaincheckpoint>", 0);
        assertThat(x.parent().name()).isEqualTo("a");
        assertThat(x.definition().creationTime()).isEqualTo(T0);
        assertThat(x.definition().domain().uuid()).isEqualTo(UUID);
        assertThat(x.definition().disk("vda").bitmap()).isEqualTo("x");
    }

    @Test
    void createKeepsDescriptionAndAlignsDisks() {
        Checkpoint x = dom.createCheckpoint("<domaincheckpoint><name>x</name><description>nightly</description>"
                + "<disks><disk name='/guest/diskimage1' checkpoint='bitmap' bitmap='bm'/></disks></domaincheckpoint>", 0);
        assertThat(x.xmlDesc(CheckpointXmlFlag.NO_DOMAIN.bit())).isEqualTo(
                "<domaincheckpoint>\n"
                + "  <name>x</name>\n"
                + "  <description>nightly</description>\n"
                + "  <creationTime>" + T0 + "</creationTime>\n"
                + "  <disks>\n"
                + "    <disk name='vda' checkpoint='bitmap' bitmap='bm'/>\n"
                + "  </disks>\n"
                + "</domaincheckpoint>\n");
    }

    @Test
    void quiesceIsAcceptedByTheTestDriver() {
        Checkpoint q = dom.createCheckpoint(EMPTY, CheckpointCreateFlag.QUIESCE.bit());
        assertThat(names(dom.listCheckpoints(0))).containsExactly(q.name());
    }

    @Test
    void badInputIsATypedError() {
        assertError(() -> dom.createCheckpoint(null, 0), ErrorCode.INVALID_ARG, "xmlDesc");
        assertError(() -> dom.createCheckpoint("<domaincheckpoint>", 0), ErrorCode.XML_ERROR, "XML error");
        assertError(() -> dom.createCheckpoint("<domainbackup/>", 0), ErrorCode.XML_ERROR, "domainbackup");
        assertError(() -> dom.createCheckpoint("<domaincheckpoint><name>a/b</name></domaincheckpoint>", 0),
                ErrorCode.XML_INVALID_SCHEMA, "XML document failed to validate against schema");
        assertError(() -> dom.createCheckpoint("<domaincheckpoint><name>.hidden</name></domaincheckpoint>", 0),
                ErrorCode.XML_INVALID_SCHEMA, "schema");
        assertError(() -> dom.createCheckpoint(
                "<domaincheckpoint><disks><disk name='vdz'/></disks></domaincheckpoint>", 0),
                ErrorCode.CONFIG_UNSUPPORTED, "unsupported configuration: no disk named 'vdz'");
        assertError(() -> dom.createCheckpoint(
                "<domaincheckpoint><disks><disk name='vda'/><disk name='/guest/diskimage1'/></disks></domaincheckpoint>", 0),
                ErrorCode.CONFIG_UNSUPPORTED, "unsupported configuration: too many disk checkpoint requests for domain");
        assertThat(list(0)).isEmpty();
    }

    // ---- redefine

    @Test
    void redefineAddsAnywhereAndMovesCurrentOnlyFromItsParent() {
        create("a");
        create("b");
        create("c");
        redefine("x", "a");
        assertThat(parentOf("x")).isEqualTo("a");
        assertThat(children("a", 0)).containsExactlyInAnyOrder("b", "x");
        assertThat(dom.checkpoint("x").definition().creationTime()).isEqualTo(T0 - 100);
        create("d");
        assertThat(parentOf("d")).as("x under a did not become current").isEqualTo("c");
        redefine("y", "d");
        assertThat(currentSeenByNextCreate()).as("y's parent was current, so y is").isEqualTo("y");
    }

    @Test
    void redefineWithoutACurrentCheckpointMakesItCurrent() {
        redefine("r1", null);
        redefine("r2", "r1");
        assertThat(currentSeenByNextCreate()).isEqualTo("r2");
        redefine("other", null);
        assertThat(currentSeenByNextCreate()).as("a root is not below current").isEqualTo("r2");
    }

    @Test
    void redefineUpdatesInPlaceAndKeepsChildren() {
        create("a");
        create("b");
        create("c");
        dom.createCheckpoint(redefineXml("b", null, "moved"), CheckpointCreateFlag.REDEFINE.bit());
        assertThat(list(CheckpointListFlag.ROOTS.bit())).containsExactlyInAnyOrder("a", "b");
        assertThat(dom.checkpoint("b").definition().description()).isEqualTo("moved");
        assertThat(children("b", 0)).containsExactly("c");
        assertThat(children("a", 0)).isEmpty();
        assertThat(list(0)).hasSize(3);
        assertThat(currentSeenByNextCreate()).isEqualTo("c");
    }

    @Test
    void redefineRoundTripsDumpedXml() {
        create("a");
        Checkpoint b = dom.createCheckpoint("<domaincheckpoint><name>b</name><description>keep</description>"
                + "<disks><disk name='vda' checkpoint='no'/></disks></domaincheckpoint>", 0);
        String dumped = b.xmlDesc(CheckpointXmlFlag.SECURE.bit());
        b.delete(CheckpointDeleteFlag.METADATA_ONLY.bit());
        assertError(() -> dom.checkpoint("b"), ErrorCode.NO_DOMAIN_CHECKPOINT, "'b'");
        Checkpoint again = dom.createCheckpoint(dumped, CheckpointCreateFlag.REDEFINE.bit());
        assertThat(again.xmlDesc(CheckpointXmlFlag.SECURE.bit())).isEqualTo(dumped);
        assertThat(again.parent().name()).isEqualTo("a");
    }

    @Test
    void redefineErrorsAreLibvirts() {
        create("a");
        create("b");
        create("c");
        assertError(() -> redefine("m", "zz"), ErrorCode.INVALID_ARG,
                "invalid argument: parent zz for moment m not found");
        assertError(() -> redefine("s", "s"), ErrorCode.INVALID_ARG,
                "invalid argument: cannot set moment s as its own parent");
        // libvirt names the ancestor whose parent is the redefined checkpoint.
        assertError(() -> redefine("a", "c"), ErrorCode.INVALID_ARG,
                "invalid argument: parent b would create cycle to a");
        assertError(() -> redefine("a", "b"), ErrorCode.INVALID_ARG,
                "invalid argument: parent b would create cycle to a");
        String foreign = "<domaincheckpoint><name>u</name><creationTime>6</creationTime>"
                + "<domain type='test'><name>test</name><uuid>11111111-f6a4-8304-79aa-97f2502e193f</uuid>"
                + "<memory>1024</memory><os><type>hvm</type></os></domain></domaincheckpoint>";
        assertError(() -> dom.createCheckpoint(foreign, 1), ErrorCode.INVALID_ARG,
                "invalid argument: definition for checkpoint u must use uuid " + UUID);
        assertError(() -> dom.createCheckpoint("<domaincheckpoint><creationTime>6</creationTime></domaincheckpoint>", 1),
                ErrorCode.XML_ERROR, "XML error: a redefined checkpoint must have a name");
        assertError(() -> dom.createCheckpoint("<domaincheckpoint><name>nt</name></domaincheckpoint>", 1),
                ErrorCode.INTERNAL_ERROR, "internal error: missing creationTime from existing checkpoint");
        // Nothing changed.
        assertThat(list(0)).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(list(CheckpointListFlag.ROOTS.bit())).containsExactly("a");
        assertThat(parentOf("c")).isEqualTo("b");
    }

    @Test
    void redefineWithTheRightUuidAlignsAgainstItsOwnDomain() {
        String xml = "<domaincheckpoint><name>old</name><creationTime>6</creationTime>"
                + "<domain type='test'><name>test</name><uuid>" + UUID + "</uuid>"
                + "<memory>1024</memory><os><type>hvm</type></os><devices>"
                + "<disk type='file' device='disk'><source file='/old/one'/><target dev='vdb' bus='virtio'/></disk>"
                + "</devices></domain></domaincheckpoint>";
        Checkpoint old = dom.createCheckpoint(xml, CheckpointCreateFlag.REDEFINE.bit());
        assertThat(old.definition().disk("vdb").bitmap()).isEqualTo("old");
        assertThat(old.definition().disk("vda")).isNull();

        String twoDisks = "<domaincheckpoint><name>two</name><creationTime>6</creationTime>"
                + "<disks><disk name='vdb'/><disk name='/old/one'/></disks>"
                + "<domain type='test'><name>test</name><uuid>" + UUID + "</uuid>"
                + "<memory>1024</memory><os><type>hvm</type></os><devices>"
                + "<disk type='file' device='disk'><source file='/old/one'/><target dev='vdb' bus='virtio'/></disk>"
                + "<disk type='file' device='disk'><source file='/old/two'/><target dev='vdc' bus='virtio'/></disk>"
                + "</devices></domain></domaincheckpoint>";
        assertError(() -> dom.createCheckpoint(twoDisks, CheckpointCreateFlag.REDEFINE.bit()),
                ErrorCode.CONFIG_UNSUPPORTED, "unsupported configuration: disk '/old/one' specified twice");
        assertThat(list(0)).containsExactly("old");
    }

    // ---- flags at the API edge

    @Test
    void mutuallyExclusiveAndUnsupportedFlagsAreRefused() {
        create("a");
        int redefineQuiesce = CheckpointCreateFlag.toMask(EnumSet.of(CheckpointCreateFlag.REDEFINE, CheckpointCreateFlag.QUIESCE));
        assertThat(redefineQuiesce).isEqualTo(3);
        assertError(() -> dom.createCheckpoint(redefineXml("x", null, null), redefineQuiesce), ErrorCode.INVALID_ARG,
                "Flags 'VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE' and 'VIR_DOMAIN_CHECKPOINT_CREATE_QUIESCE' are mutually exclusive");
        assertError(() -> dom.createCheckpoint(redefineXml("x", null, null), 4), ErrorCode.INVALID_ARG,
                "'VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE' requires flag 'VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE'");
        assertError(() -> dom.createCheckpoint(redefineXml("x", null, null), 5), ErrorCode.INVALID_ARG,
                "unsupported flags (0x4)");
        assertError(() -> dom.checkpoint("a").delete(5), ErrorCode.INVALID_ARG,
                "Flags 'VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN' and 'VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY' are mutually exclusive");
        assertThat(list(0)).containsExactly("a");
    }

    @Test
    void masksMapToLibvirtsBitsAndUnknownBitsAreRefused() {
        assertThat(CheckpointCreateFlag.fromMask(7)).containsExactlyInAnyOrder(CheckpointCreateFlag.values());
        assertThat(CheckpointCreateFlag.fromMask(1)).containsExactly(CheckpointCreateFlag.REDEFINE);
        assertThat(CheckpointDeleteFlag.fromMask(4)).containsExactly(CheckpointDeleteFlag.CHILDREN_ONLY);
        assertThat(CheckpointDeleteFlag.fromMask(2)).containsExactly(CheckpointDeleteFlag.METADATA_ONLY);
        assertThat(CheckpointDeleteFlag.toMask(EnumSet.allOf(CheckpointDeleteFlag.class))).isEqualTo(7);
        assertThat(CheckpointXmlFlag.fromMask(6)).containsExactlyInAnyOrder(CheckpointXmlFlag.NO_DOMAIN, CheckpointXmlFlag.SIZE);
        assertThat(CheckpointListFlag.forDomain(1)).containsExactly(CheckpointListFlag.ROOTS);
        assertThat(CheckpointListFlag.forChildren(1)).containsExactly(CheckpointListFlag.DESCENDANTS);
        assertThat(CheckpointListFlag.forDomain(14)).containsExactlyInAnyOrder(
                CheckpointListFlag.TOPOLOGICAL, CheckpointListFlag.LEAVES, CheckpointListFlag.NO_LEAVES);
        assertThat(CheckpointListFlag.toMask(EnumSet.of(CheckpointListFlag.NO_LEAVES, CheckpointListFlag.TOPOLOGICAL)))
                .isEqualTo(10);

        Checkpoint a = create("a");
        assertError(() -> dom.createCheckpoint(EMPTY, 8), ErrorCode.INVALID_ARG,
                // libvirt's virCheckFlags reports without the "invalid argument: " prefix.
                "unsupported flags (0x8) in function virDomainCheckpointCreateXML");
        assertError(() -> a.delete(8), ErrorCode.INVALID_ARG, "unsupported flags (0x8)");
        assertError(() -> a.xmlDesc(8), ErrorCode.INVALID_ARG, "unsupported flags (0x8)");
        assertError(() -> dom.listCheckpoints(16), ErrorCode.INVALID_ARG, "unsupported flags (0x10)");
        assertError(() -> a.children(0x30), ErrorCode.INVALID_ARG, "unsupported flags (0x30)");
        assertError(() -> dom.listCheckpoints(-1), ErrorCode.INVALID_ARG, "unsupported flags");
        assertError(() -> dom.listCheckpoints(EnumSet.of(CheckpointListFlag.DESCENDANTS)), ErrorCode.INVALID_ARG, "DESCENDANTS");
        assertError(() -> a.children(EnumSet.of(CheckpointListFlag.ROOTS)), ErrorCode.INVALID_ARG, "ROOTS");
        assertThat(list(0)).containsExactly("a");
        assertThat(ErrorCode.INVALID_ARG.number()).isEqualTo(8);
        assertThat(ErrorCode.NO_DOMAIN_CHECKPOINT.number()).isEqualTo(103);
    }

    // ---- lists and children

    @Test
    void listFlagsFilterLikeLibvirt() {
        buildForest();
        assertThat(list(0)).containsExactlyInAnyOrder("a", "b", "c", "d", "r", "s");
        assertThat(list(CheckpointListFlag.ROOTS.bit())).containsExactlyInAnyOrder("a", "r");
        assertThat(list(CheckpointListFlag.LEAVES.bit())).containsExactlyInAnyOrder("c", "d", "s");
        assertThat(list(CheckpointListFlag.NO_LEAVES.bit())).containsExactlyInAnyOrder("a", "b", "r");
        assertThat(list(CheckpointListFlag.LEAVES.bit() | CheckpointListFlag.NO_LEAVES.bit())).isEmpty();
        assertThat(list(CheckpointListFlag.ROOTS.bit() | CheckpointListFlag.TOPOLOGICAL.bit())).containsExactlyInAnyOrder("a", "r");
        assertThat(list(CheckpointListFlag.ROOTS.bit() | CheckpointListFlag.LEAVES.bit())).isEmpty();
        redefine("lone", null);
        assertThat(list(CheckpointListFlag.ROOTS.bit() | CheckpointListFlag.LEAVES.bit())).containsExactly("lone");
        assertThat(names(dom.listCheckpoints(EnumSet.of(CheckpointListFlag.NO_LEAVES, CheckpointListFlag.ROOTS))))
                .containsExactlyInAnyOrder("a", "r");
    }

    @Test
    void topologicalListsParentsFirst() {
        buildForest();
        // Redefined in an order that is not topological by name or by time.
        redefine("e", "d");
        redefine("f", "a");
        List<String> topo = list(CheckpointListFlag.TOPOLOGICAL.bit());
        assertThat(topo).containsExactlyInAnyOrder("a", "b", "c", "d", "e", "f", "r", "s");
        assertParentsFirst(topo);
        List<String> leavesTopo = list(CheckpointListFlag.TOPOLOGICAL.bit() | CheckpointListFlag.LEAVES.bit());
        assertThat(leavesTopo).containsExactlyInAnyOrder("c", "e", "f", "s");
        List<String> below = children("a", CheckpointListFlag.DESCENDANTS.bit() | CheckpointListFlag.TOPOLOGICAL.bit());
        assertThat(below).containsExactlyInAnyOrder("b", "c", "d", "e", "f");
        assertParentsFirst(below);
    }

    private void assertParentsFirst(List<String> order) {
        for (String n : order) {
            Checkpoint c = dom.checkpoint(n);
            if (list(CheckpointListFlag.ROOTS.bit()).contains(n)) {
                continue;
            }
            String p = c.parent().name();
            if (order.contains(p)) {
                assertThat(order.indexOf(p)).as("%s listed before %s", p, n).isLessThan(order.indexOf(n));
            }
        }
    }

    @Test
    void childrenAndDescendants() {
        buildForest();
        assertThat(children("a", 0)).containsExactly("b");
        assertThat(children("b", 0)).containsExactlyInAnyOrder("c", "d");
        assertThat(children("c", 0)).isEmpty();
        assertThat(children("a", CheckpointListFlag.DESCENDANTS.bit())).containsExactlyInAnyOrder("b", "c", "d");
        assertThat(children("a", CheckpointListFlag.DESCENDANTS.bit() | CheckpointListFlag.LEAVES.bit()))
                .containsExactlyInAnyOrder("c", "d");
        assertThat(children("a", CheckpointListFlag.DESCENDANTS.bit() | CheckpointListFlag.NO_LEAVES.bit()))
                .containsExactly("b");
        assertThat(children("a", CheckpointListFlag.LEAVES.bit())).as("children only: b is not a leaf").isEmpty();
        assertThat(children("r", CheckpointListFlag.DESCENDANTS.bit())).containsExactly("s");
        assertThat(names(dom.checkpoint("b").children(EnumSet.noneOf(CheckpointListFlag.class))))
                .containsExactlyInAnyOrder("c", "d");
    }

    @Test
    void lookupOfAMissingCheckpoint() {
        create("a");
        assertError(() -> dom.checkpoint("nope"), ErrorCode.NO_DOMAIN_CHECKPOINT,
                "Domain checkpoint not found: no domain checkpoint with matching name 'nope'");
        assertError(() -> dom.checkpoint(null), ErrorCode.NO_DOMAIN_CHECKPOINT, "no domain checkpoint");
        assertThat(dom.checkpoint("a")).isEqualTo(dom.checkpoint("a"));
        assertError(() -> conn.domainByName("nope"), ErrorCode.NO_DOMAIN, "no domain with matching name 'nope'");
    }

    // ---- delete

    @Test
    void deleteReparentsTheChildren() {
        buildForest();
        dom.checkpoint("b").delete(0);
        assertError(() -> dom.checkpoint("b"), ErrorCode.NO_DOMAIN_CHECKPOINT, "'b'");
        assertThat(parentOf("c")).isEqualTo("a");
        assertThat(parentOf("d")).isEqualTo("a");
        assertThat(children("a", 0)).containsExactlyInAnyOrder("c", "d");
        assertThat(dom.checkpoint("c").definition().parentName()).isEqualTo("a");

        dom.checkpoint("a").delete(0);
        assertThat(list(CheckpointListFlag.ROOTS.bit())).containsExactlyInAnyOrder("c", "d", "r");
        assertThat(dom.checkpoint("d").definition().parentName()).isNull();
        assertThat(currentSeenByNextCreate()).as("c was current and stays").isEqualTo("c");
    }

    @Test
    void deletingTheCurrentCheckpointMovesCurrentToItsParent() {
        create("a");
        create("b");
        create("c");
        dom.checkpoint("c").delete(0);
        assertThat(currentSeenByNextCreate()).isEqualTo("b");
        dom.checkpoint("a").delete(0);
        assertThat(currentSeenByNextCreate()).as("deleting another one leaves current").isEqualTo("b");
        dom.checkpoint("b").delete(0);
        assertThat(list(0)).isEmpty();
        assertThat(currentSeenByNextCreate()).as("a deleted root leaves no current").isNull();
    }

    @Test
    void deleteChildrenRemovesTheSubtree() {
        buildForest();
        dom.checkpoint("b").delete(CheckpointDeleteFlag.CHILDREN.bit());
        assertThat(list(0)).containsExactlyInAnyOrder("a", "r", "s");
        assertThat(children("a", 0)).isEmpty();
        assertThat(currentSeenByNextCreate()).as("current c was removed with b: b's parent").isEqualTo("a");
    }

    @Test
    void deleteChildrenOnlyKeepsTheCheckpoint() {
        buildForest();
        dom.checkpoint("b").delete(CheckpointDeleteFlag.CHILDREN_ONLY.bit());
        assertThat(list(0)).containsExactlyInAnyOrder("a", "b", "r", "s");
        assertThat(children("b", 0)).isEmpty();
        assertThat(currentSeenByNextCreate()).as("current c was a descendant: b").isEqualTo("b");
        dom.checkpoint("r").delete(CheckpointDeleteFlag.CHILDREN_ONLY.bit());
        assertThat(list(0)).containsExactlyInAnyOrder("a", "b", "r");
        assertThat(currentSeenByNextCreate()).as("unrelated subtree: current stays").isEqualTo("b");
    }

    @Test
    void deleteMetadataOnlyHasTheSameTreeEffect() {
        buildForest();
        dom.checkpoint("b").delete(CheckpointDeleteFlag.METADATA_ONLY.bit());
        assertThat(children("a", 0)).containsExactlyInAnyOrder("c", "d");
        dom.checkpoint("r").delete(CheckpointDeleteFlag.METADATA_ONLY.bit() | CheckpointDeleteFlag.CHILDREN.bit());
        assertThat(list(0)).containsExactlyInAnyOrder("a", "c", "d");
        dom.checkpoint("a").delete(EnumSet.of(CheckpointDeleteFlag.METADATA_ONLY, CheckpointDeleteFlag.CHILDREN_ONLY));
        assertThat(list(0)).containsExactly("a");
        assertThat(currentSeenByNextCreate()).isEqualTo("a");
    }

    @Test
    void deleteOfAMissingCheckpoint() {
        Checkpoint a = create("a");
        a.delete(0);
        assertError(() -> a.delete(0), ErrorCode.NO_DOMAIN_CHECKPOINT, "no domain checkpoint with matching name 'a'");
        assertError(() -> a.xmlDesc(0), ErrorCode.NO_DOMAIN_CHECKPOINT, "'a'");
        assertError(() -> a.children(0), ErrorCode.NO_DOMAIN_CHECKPOINT, "'a'");
    }

    // ---- XML flags

    @Test
    void xmlFlags() {
        Checkpoint a = create("a");
        Checkpoint skip = dom.createCheckpoint(
                "<domaincheckpoint><name>skip</name><disks><disk name='vda' checkpoint='no'/></disks></domaincheckpoint>", 0);

        String full = a.xmlDesc(0);
        assertThat(full).contains("<domain type='test'>").contains("<uuid>" + UUID + "</uuid>").endsWith("</domaincheckpoint>\n");
        assertThat(a.xmlDesc(CheckpointXmlFlag.SECURE.bit())).contains("<domain type='test'>");
        assertThat(a.xmlDesc(EnumSet.noneOf(CheckpointXmlFlag.class))).isEqualTo(full);
        assertThat(full).doesNotContain("size=");

        assertThat(a.xmlDesc(CheckpointXmlFlag.NO_DOMAIN.bit() | CheckpointXmlFlag.SIZE.bit())).isEqualTo(
                "<domaincheckpoint>\n"
                + "  <name>a</name>\n"
                + "  <creationTime>" + T0 + "</creationTime>\n"
                + "  <disks>\n"
                + "    <disk name='vda' checkpoint='bitmap' bitmap='a' size='1024'/>\n"
                + "  </disks>\n"
                + "</domaincheckpoint>\n");
        assertThat(a.xmlDesc(CheckpointXmlFlag.SIZE.bit())).contains("size='1024'").contains("<domain type='test'>");
        assertThat(skip.xmlDesc(CheckpointXmlFlag.NO_DOMAIN.bit() | CheckpointXmlFlag.SIZE.bit())).isEqualTo(
                "<domaincheckpoint>\n"
                + "  <name>skip</name>\n"
                + "  <parent>\n"
                + "    <name>a</name>\n"
                + "  </parent>\n"
                + "  <creationTime>" + T0 + "</creationTime>\n"
                + "  <disks>\n"
                + "    <disk name='vda' checkpoint='no'/>\n"
                + "  </disks>\n"
                + "</domaincheckpoint>\n");
        // SIZE is computed on output only; the stored definition has no size.
        assertThat(a.definition().disk("vda").size()).isNull();
    }

    @Test
    void connectionUris() {
        try (Connection c = Connection.open("test:///default")) {
            assertThat(c.uri()).isEqualTo("test:///default");
            assertThat(names(c.domainByName("test").listCheckpoints(0))).as("fresh per connection").isEmpty();
            assertThat(c.domainByUuid(UUID).name()).isEqualTo("test");
        }
        assertError(() -> Connection.open("test:///other"), ErrorCode.NO_CONNECT, "test:///default");
        assertError(() -> Connection.open("nosuch:///x"), ErrorCode.NO_CONNECT, "nosuch:///x");
        assertError(() -> Connection.open(null), ErrorCode.INVALID_ARG, "URI");
        create("a");
        assertThat(dom.state()).isEqualTo(DomainState.RUNNING);
        assertThat(dom.uuid()).isEqualTo(UUID);
    }

    @Test
    void flagSetsAndMasksAgree() {
        buildForest();
        for (int mask = 0; mask < 16; mask++) {
            Set<CheckpointListFlag> set = CheckpointListFlag.forDomain(mask);
            assertThat(CheckpointListFlag.toMask(set)).isEqualTo(mask);
            assertThat(names(dom.listCheckpoints(set))).containsExactlyInAnyOrderElementsOf(list(mask));
        }
    }
}
