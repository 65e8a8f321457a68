package io.backpoint.checkpoint;

import io.backpoint.model.CheckpointDef;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The checkpoints of one domain: a map by name, parent and child links under a synthetic root,
 * and the "current" checkpoint (the parent of the next one created).
 *
 * <p>Every operation except listing is O(1) or proportional to the nodes it touches, so that a
 * domain with thousands of checkpoints stays fast. Not thread-safe: the owner holds a lock.
 */
public final class CheckpointTree {
    /** A checkpoint in the tree. */
    public static final class Node {
        private CheckpointDef def;
        private Node parent;
        private final LinkedHashMap<String, Node> children = new LinkedHashMap<>();

        private Node(CheckpointDef def) {
            this.def = def;
        }

        public CheckpointDef def() {
            return def;
        }

        public String name() {
            return def.name();
        }

        /** The parent node, or null for a root. */
        public Node parent() {
            return parent == null || parent.def == null ? null : parent;
        }

        public Collection<Node> children() {
            return children.values();
        }

        public int childCount() {
            return children.size();
        }
    }

    private final Node metaroot = new Node(null);
    private final Map<String, Node> byName = new HashMap<>();
    private Node current;
    /** Problems found while linking loaded definitions (missing parents, cycles). */
    private final List<String> relationProblems = new ArrayList<>();

    /** Builds a tree from definitions in any order, as libvirt does on load (UpdateRelations). */
    public static CheckpointTree of(Collection<CheckpointDef> defs) {
        CheckpointTree tree = new CheckpointTree();
        for (CheckpointDef def : defs) {
            tree.byName.put(def.name(), new Node(def));
        }
        for (Node n : tree.byName.values()) {
            Node parent = tree.metaroot;
            String parentName = n.def.parentName();
            if (parentName != null) {
                Node p = tree.byName.get(parentName);
                if (p == null) {
                    tree.relationProblems.add("checkpoint " + n.name() + " lacks parent " + parentName);
                } else {
                    parent = p;
                }
            }
            n.parent = parent;
            parent.children.put(n.name(), n);
        }
        // A cycle leaves nodes unreachable from the root.
        if (tree.reachableCount() != tree.byName.size()) {
            tree.breakCycles();
        }
        tree.current = tree.relationProblems.isEmpty() ? tree.uniqueLeaf() : null;
        return tree;
    }

    public int size() {
        return byName.size();
    }

    public Node get(String name) {
        return byName.get(name);
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The current checkpoint, or null. */
    public Node current() {
        return current;
    }

    public void setCurrent(Node node) {
        current = node;
    }

    public List<String> relationProblems() {
        return List.copyOf(relationProblems);
    }

    /** Adds a new checkpoint under the parent its definition names, which must exist. */
    public Node add(CheckpointDef def) {
        if (byName.containsKey(def.name())) {
            throw new IllegalStateException("checkpoint " + def.name() + " already in tree");
        }
        Node parent = parentOf(def);
        Node n = new Node(def);
        n.parent = parent;
        parent.children.put(n.name(), n);
        byName.put(n.name(), n);
        return n;
    }

    /** Replaces an existing checkpoint's definition in place (redefine), keeping its children. */
    public Node replace(CheckpointDef def) {
        Node n = Objects.requireNonNull(byName.get(def.name()), def.name());
        Node parent = parentOf(def);
        n.parent.children.remove(n.name());
        n.def = def;
        n.parent = parent;
        parent.children.put(n.name(), n);
        return n;
    }

    /**
     * Removes one checkpoint; its children move to its parent (their definitions are updated
     * by the caller, who also persists them). Clears current if it was this node.
     */
    public void remove(Node n) {
        Node parent = n.parent;
        parent.children.remove(n.name());
        for (Node child : n.children.values()) {
            child.parent = parent;
            parent.children.put(child.name(), child);
        }
        n.children.clear();
        byName.remove(n.name());
        if (current == n) {
            current = null;
        }
    }

    /** Updates the stored definition of a node without relinking (e.g. a new parent name after a re-parent). */
    public void updateDef(Node n, CheckpointDef def) {
        n.def = def;
    }

    /** The direct roots. */
    public Collection<Node> roots() {
        return metaroot.children.values();
    }

    /** Every node in insertion order. */
    public Collection<Node> all() {
        return byName.values();
    }

    /**
     * Descendants of a node (or of the root when null), parents before children, siblings newest
     * first: libvirt prepends a new child to its parent's list, and virsh --topological prints
     * the walk in that order.
     */
    public List<Node> descendants(Node from) {
        List<Node> out = new ArrayList<>();
        Deque<Node> stack = new ArrayDeque<>();
        Node start = from == null ? metaroot : from;
        start.children.values().forEach(stack::push);
        while (!stack.isEmpty()) {
            Node n = stack.pop();
            out.add(n);
            n.children.values().forEach(stack::push);
        }
        return out;
    }

    /** A node's children (the roots when null), newest first as libvirt lists them. */
    public List<Node> childrenNewestFirst(Node from) {
        List<Node> kids = new ArrayList<>((from == null ? metaroot : from).children.values());
        Collections.reverse(kids);
        return kids;
    }

    /** Whether making {@code parentName} the parent of {@code name} would create a cycle. */
    public boolean wouldCycle(String name, String parentName) {
        for (Node p = byName.get(parentName); p != null && p.def != null; p = p.parent) {
            if (p.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The node a cycle would run through if {@code parentName} became the parent of {@code name}:
     * the ancestor of {@code parentName} (itself included) whose parent is {@code name}, which is
     * the node libvirt names in its error. Null when there would be no cycle.
     */
    public String cycleThrough(String name, String parentName) {
        for (Node p = byName.get(parentName); p != null && p.def != null; p = p.parent) {
            Node up = p.parent;
            if (up != null && up.def != null && up.name().equals(name)) {
                return p.name();
            }
        }
        return null;
    }

    /** libvirt's rule after a reload: current is the leaf at the end of a chain with exactly one child per level. */
    private Node uniqueLeaf() {
        Node n = metaroot;
        while (n.children.size() == 1) {
            n = n.children.values().iterator().next();
        }
        return n == metaroot || !n.children.isEmpty() ? null : n;
    }

    private Node parentOf(CheckpointDef def) {
        if (def.parentName() == null) {
            return metaroot;
        }
        Node p = byName.get(def.parentName());
        if (p == null) {
            throw new IllegalStateException("parent " + def.parentName() + " not in tree");
        }
        return p;
    }

    private int reachableCount() {
        return descendants(null).size();
    }

    /**
     * Moves one node of each parent cycle under the root, as libvirt does, and reports it.
     * Nodes that merely hang below a cycle keep their parent, so the tree loses no more
     * structure than it must.
     */
    private void breakCycles() {
        Set<Node> reachable = Collections.newSetFromMap(new IdentityHashMap<>());
        reachable.addAll(descendants(null));
        for (Node n : byName.values()) {
            if (reachable.contains(n)) {
                continue;
            }
            // Walking up from an unreachable node ends on a node seen before: that one is on a cycle.
            Set<Node> path = Collections.newSetFromMap(new IdentityHashMap<>());
            Node p = n;
            while (!reachable.contains(p) && path.add(p)) {
                p = p.parent;
            }
            if (reachable.contains(p)) {
                continue;
            }
            relationProblems.add("checkpoint " + p.name() + " is part of a parent cycle");
            p.parent.children.remove(p.name());
            p.parent = metaroot;
            metaroot.children.put(p.name(), p);
            reachable.add(p);
            reachable.addAll(descendants(p));
        }
    }

    /** Checks the structural invariants; for tests. Returns a description of the first violation, or null. */
    String invariantViolation() {
        int reachable = 0;
        for (Node n : descendants(null)) {
            reachable++;
            if (byName.get(n.name()) != n) {
                return "node " + n.name() + " not indexed";
            }
            Node p = n.parent;
            if (p == null || p.children.get(n.name()) != n) {
                return "node " + n.name() + " not among its parent's children";
            }
            String expectedParent = p == metaroot ? null : p.name();
            if (relationProblems.isEmpty() && !Objects.equals(expectedParent, n.def.parentName())) {
                return "node " + n.name() + " has parent " + expectedParent + " but its definition says " + n.def.parentName();
            }
        }
        if (reachable != byName.size()) {
            return reachable + " reachable of " + byName.size();
        }
        if (current != null && byName.get(current.name()) != current) {
            return "current " + current.name() + " not in tree";
        }
        return null;
    }
}
