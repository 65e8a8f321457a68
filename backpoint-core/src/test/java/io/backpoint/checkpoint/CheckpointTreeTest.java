package io.backpoint.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.model.CheckpointDef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The tree on its own: linking, re-parenting, listing order, load-time repairs and the
 * unique-leaf rule. Every tree a test builds is checked against the tree's structural
 * invariants after the test, so an operation that leaves a dangling link fails here even if
 * the test's own assertions miss it.
 */
class CheckpointTreeTest {
    private final List<CheckpointTree> trees = new ArrayList<>();

    @AfterEach
    void everyTreeKeepsItsInvariants() {
        for (CheckpointTree tree : trees) {
            assertThat(tree.invariantViolation()).as("tree invariant").isNull();
        }
    }

    private CheckpointTree track(CheckpointTree tree) {
        trees.add(tree);
        return tree;
    }

    private CheckpointTree load(CheckpointDef... defs) {
        return track(CheckpointTree.of(List.of(defs)));
    }

    private static CheckpointDef def(String name, String parent) {
        return new CheckpointDef(name, null, parent, 1, List.of(), null);
    }

    private static List<String> names(Collection<CheckpointTree.Node> nodes) {
        List<String> out = new ArrayList<>();
        for (CheckpointTree.Node n : nodes) {
            out.add(n.name());
        }
        return out;
    }

    private static String parentName(CheckpointTree tree, String name) {
        CheckpointTree.Node p = tree.get(name).parent();
        return p == null ? null : p.name();
    }

    /** a - b - c, b - d: one root with a branch. */
    private CheckpointTree branched() {
        CheckpointTree tree = track(CheckpointTree.of(List.of()));
        tree.add(def("a", null));
        tree.add(def("b", "a"));
        tree.add(def("c", "b"));
        tree.add(def("d", "b"));
        return tree;
    }

    @Test
    void addLinksUnderTheNamedParent() {
        CheckpointTree tree = branched();
        assertThat(tree.size()).isEqualTo(4);
        assertThat(names(tree.roots())).containsExactly("a");
        assertThat(parentName(tree, "a")).isNull();
        assertThat(parentName(tree, "c")).isEqualTo("b");
        assertThat(names(tree.get("b").children())).containsExactlyInAnyOrder("c", "d");
        assertThat(tree.get("b").childCount()).isEqualTo(2);
        assertThat(tree.contains("d")).isTrue();
        assertThat(tree.contains("e")).isFalse();
        assertThat(tree.get("e")).isNull();
    }

    @Test
    void addRefusesDuplicatesAndMissingParents() {
        CheckpointTree tree = branched();
        assertThatThrownBy(() -> tree.add(def("c", "a"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> tree.add(def("e", "nope"))).isInstanceOf(IllegalStateException.class);
        assertThat(tree.size()).isEqualTo(4);
        assertThat(tree.contains("e")).isFalse();
    }

    @Test
    void descendantsListParentsBeforeChildren() {
        CheckpointTree tree = branched();
        tree.add(def("e", "d"));
        tree.add(def("r", null));
        tree.add(def("s", "r"));
        List<String> all = names(tree.descendants(null));
        assertThat(all).containsExactlyInAnyOrder("a", "b", "c", "d", "e", "r", "s");
        for (String n : all) {
            String p = parentName(tree, n);
            if (p != null) {
                assertThat(all.indexOf(p)).as("%s before %s", p, n).isLessThan(all.indexOf(n));
            }
        }
        assertThat(names(tree.descendants(tree.get("b")))).containsExactlyInAnyOrder("c", "d", "e");
        assertThat(names(tree.descendants(tree.get("d")))).containsExactly("e");
        assertThat(tree.descendants(tree.get("c"))).isEmpty();
    }

    @Test
    void removeMovesChildrenToTheParent() {
        CheckpointTree tree = branched();
        CheckpointTree.Node b = tree.get("b");
        tree.setCurrent(b);
        // As the service does: rewrite the children's definitions, then unlink.
        for (CheckpointTree.Node child : new ArrayList<>(b.children())) {
            tree.updateDef(child, child.def().withParentName("a"));
        }
        tree.remove(b);
        assertThat(tree.contains("b")).isFalse();
        assertThat(tree.size()).isEqualTo(3);
        assertThat(names(tree.get("a").children())).containsExactlyInAnyOrder("c", "d");
        assertThat(parentName(tree, "c")).isEqualTo("a");
        assertThat(tree.current()).as("removing current clears it").isNull();
    }

    @Test
    void removingARootMakesItsChildrenRoots() {
        CheckpointTree tree = branched();
        CheckpointTree.Node a = tree.get("a");
        tree.updateDef(tree.get("b"), tree.get("b").def().withParentName(null));
        tree.setCurrent(tree.get("c"));
        tree.remove(a);
        assertThat(names(tree.roots())).containsExactly("b");
        assertThat(tree.get("b").parent()).isNull();
        assertThat(tree.current().name()).as("current elsewhere stays").isEqualTo("c");
    }

    @Test
    void replaceKeepsChildrenAndMovesTheNode() {
        CheckpointTree tree = branched();
        tree.add(def("x", null));
        CheckpointDef moved = new CheckpointDef("b", "redefined", "x", 7, List.of(), null);
        CheckpointTree.Node b = tree.replace(moved);
        assertThat(b).isSameAs(tree.get("b"));
        assertThat(b.def().description()).isEqualTo("redefined");
        assertThat(parentName(tree, "b")).isEqualTo("x");
        assertThat(names(b.children())).containsExactlyInAnyOrder("c", "d");
        assertThat(tree.get("a").children()).isEmpty();
        assertThat(tree.size()).isEqualTo(5);

        tree.replace(def("b", null));
        assertThat(names(tree.roots())).containsExactlyInAnyOrder("a", "b", "x");
    }

    @Test
    void wouldCycleFollowsTheAncestors() {
        CheckpointTree tree = branched();
        assertThat(tree.wouldCycle("a", "c")).isTrue();
        assertThat(tree.wouldCycle("a", "a")).isTrue();
        assertThat(tree.wouldCycle("b", "d")).isTrue();
        assertThat(tree.wouldCycle("c", "d")).isFalse();
        assertThat(tree.wouldCycle("d", "a")).isFalse();
        assertThat(tree.wouldCycle("new", "c")).isFalse();
        assertThat(tree.wouldCycle("a", "missing")).isFalse();
        assertThat(tree.cycleThrough("a", "c")).as("the ancestor whose parent is a").isEqualTo("b");
        assertThat(tree.cycleThrough("a", "b")).isEqualTo("b");
        assertThat(tree.cycleThrough("b", "c")).isEqualTo("c");
        assertThat(tree.cycleThrough("c", "d")).isNull();
        assertThat(tree.cycleThrough("new", "c")).isNull();
    }

    @Test
    void loadLinksDefinitionsGivenInAnyOrder() {
        CheckpointTree tree = load(def("d", "c"), def("c", "b"), def("a", null), def("b", "a"), def("x", "a"));
        assertThat(tree.relationProblems()).isEmpty();
        assertThat(names(tree.roots())).containsExactly("a");
        assertThat(names(tree.get("a").children())).containsExactlyInAnyOrder("b", "x");
        assertThat(parentName(tree, "d")).isEqualTo("c");
        assertThat(tree.current()).as("two leaves: no current").isNull();
    }

    @Test
    void loadOfAChainMakesItsLeafCurrent() {
        CheckpointTree tree = load(def("c", "b"), def("a", null), def("b", "a"));
        assertThat(tree.current().name()).isEqualTo("c");
    }

    @Test
    void uniqueLeafNeedsExactlyOneChildAtEveryLevel() {
        assertThat(load().current()).as("empty").isNull();
        assertThat(load(def("a", null)).current().name()).isEqualTo("a");
        assertThat(load(def("a", null), def("b", null)).current()).as("two roots").isNull();
        assertThat(load(def("a", null), def("b", "a"), def("c", "a")).current()).as("fork at the root's child").isNull();
        // A fork deeper down: the walk stops at a node with two children, which is not a leaf.
        assertThat(load(def("a", null), def("b", "a"), def("c", "b"), def("d", "b")).current()).isNull();
    }

    @Test
    void loadReportsMissingParentsAndKeepsTheOrphan() {
        CheckpointTree tree = load(def("a", null), def("b", "gone"), def("c", "b"));
        assertThat(tree.relationProblems()).hasSize(1);
        assertThat(tree.relationProblems().get(0)).contains("b").contains("gone");
        assertThat(names(tree.roots())).containsExactlyInAnyOrder("a", "b");
        assertThat(parentName(tree, "c")).isEqualTo("b");
        assertThat(tree.current()).as("inconsistent relations: no current").isNull();
        assertThat(tree.size()).isEqualTo(3);
    }

    @Test
    void loadBreaksCyclesAndKeepsEveryNode() {
        CheckpointTree tree = load(def("root", null), def("a", "b"), def("b", "a"), def("c", "a"), def("self", "self"));
        assertThat(tree.size()).isEqualTo(5);
        assertThat(tree.descendants(null)).hasSize(5);
        assertThat(tree.current()).isNull();
        List<String> problems = tree.relationProblems();
        assertThat(problems).anyMatch(p -> p.contains("self") && p.contains("cycle"));
        assertThat(problems).anyMatch(p -> (p.contains(" a ") || p.contains(" b ")) && p.contains("cycle"));
        assertThat(problems).as("c hangs below the cycle but is not part of it").noneMatch(p -> p.contains(" c "));
        assertThat(parentName(tree, "c")).isEqualTo("a");
        assertThat(tree.get("self").parent()).isNull();
        // The cycle is broken at one place: one of a and b is a root, the other its child.
        String aParent = parentName(tree, "a");
        String bParent = parentName(tree, "b");
        assertThat(aParent == null ? bParent : aParent).isIn("a", "b");
        assertThat(aParent == null || bParent == null).isTrue();
    }

    @Test
    void theInvariantCheckSeesAStaleParentName() {
        CheckpointTree tree = branched();
        tree.remove(tree.get("b"));
        // c and d now hang under a while their definitions still name b.
        // Which of the two is reported first depends on sibling order (newest first, as libvirt).
        assertThat(tree.invariantViolation()).matches("node [cd] has parent a but its definition says b");
        tree.updateDef(tree.get("c"), tree.get("c").def().withParentName("a"));
        tree.updateDef(tree.get("d"), tree.get("d").def().withParentName("a"));
        assertThat(tree.invariantViolation()).isNull();
    }

    @Test
    void setCurrentAndAll() {
        CheckpointTree tree = branched();
        assertThat(tree.current()).isNull();
        tree.setCurrent(tree.get("d"));
        assertThat(tree.current().name()).isEqualTo("d");
        assertThat(names(tree.all())).containsExactlyInAnyOrder("a", "b", "c", "d");
    }
}
