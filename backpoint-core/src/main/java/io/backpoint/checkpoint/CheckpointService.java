package io.backpoint.checkpoint;

import io.backpoint.driver.CheckpointMechanics;
import io.backpoint.driver.CheckpointStore;
import io.backpoint.driver.DomainInfo;
import io.backpoint.driver.DomainLock;
import io.backpoint.driver.Driver;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.CheckpointDef;
import io.backpoint.model.CheckpointDiskDef;
import io.backpoint.model.CheckpointType;
import io.backpoint.model.DomainDef;
import io.backpoint.vocab.CheckpointCreateFlag;
import io.backpoint.vocab.CheckpointDeleteFlag;
import io.backpoint.vocab.CheckpointListFlag;
import io.backpoint.vocab.CheckpointXmlFlag;
import io.backpoint.xml.CheckpointFormatFlag;
import io.backpoint.xml.CheckpointParseFlag;
import io.backpoint.xml.CheckpointXml;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * libvirt's checkpoint semantics over any driver: create and redefine, lookup, listing, parent and
 * children, XML, delete with re-parenting. Each call locks the domain, brings the cached tree up to
 * date with the store, and works on it.
 */
public final class CheckpointService {
    private final Driver driver;
    // Concurrent: calls on different domains of one connection may run in parallel threads (each
    // domain's lock serializes only its own calls).
    private final Map<String, Cached> trees = new java.util.concurrent.ConcurrentHashMap<>();
    /** Set while this thread settles an intent, whose own calls must not settle again. */
    private final ThreadLocal<Boolean> settling = ThreadLocal.withInitial(() -> false);

    /** A loaded tree, the store generation it matches, and what its load found wrong. */
    private record Cached(CheckpointTree tree, long generation, List<String> problems) {}

    public CheckpointService(Driver driver) {
        this.driver = driver;
    }

    /** A read-only view of a domain's tree, handed to a function while the domain is locked. */
    public <T> T read(String domain, Function<CheckpointTree, T> reader) {
        try (DomainLock lock = driver.lock(domain)) {
            return reader.apply(tree(domain));
        }
    }

    /** Creates (or with REDEFINE, restores) a checkpoint; returns its name. */
    public String create(String domain, String xml, Set<CheckpointCreateFlag> flags) {
        if (xml == null) {
            throw new BackpointException(ErrorCode.INVALID_ARG,
                    "xmlDesc in virDomainCheckpointCreateXML must not be NULL");
        }
        exclusive(flags, CheckpointCreateFlag.REDEFINE, CheckpointCreateFlag.QUIESCE,
                "VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE", "VIR_DOMAIN_CHECKPOINT_CREATE_QUIESCE");
        if (flags.contains(CheckpointCreateFlag.REDEFINE_VALIDATE) && !flags.contains(CheckpointCreateFlag.REDEFINE)) {
            throw BackpointException.invalidArg(
                    "Flag 'VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE' requires flag 'VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE'");
        }
        CheckpointMechanics mech = driver.checkpoints();
        EnumSet<CheckpointCreateFlag> unsupported = EnumSet.copyOf(flags.isEmpty() ? EnumSet.noneOf(CheckpointCreateFlag.class) : flags);
        unsupported.removeAll(mech.supportedCreateFlags());
        if (!unsupported.isEmpty()) {
            throw BackpointException.invalidArg("unsupported flags (0x%x) in function %s",
                    CheckpointCreateFlag.toMask(unsupported), "checkpointCreateXML");
        }
        boolean redefine = flags.contains(CheckpointCreateFlag.REDEFINE);
        try (DomainLock lock = driver.lock(domain)) {
            DomainInfo dom = requireDomain(domain);
            mech.checkCreate(dom, flags);
            CheckpointTree tree = tree(domain);
            CheckpointDef def = CheckpointXml.parse(xml,
                    redefine ? EnumSet.of(CheckpointParseFlag.REDEFINE) : EnumSet.noneOf(CheckpointParseFlag.class),
                    driver.clock());
            if (redefine) {
                return redefine(dom, tree, driver.checkpointStore(domain), def, flags.contains(CheckpointCreateFlag.REDEFINE_VALIDATE));
            }
            CheckpointDef withParent = prepareNew(dom, tree, def);
            CheckpointStore store = driver.checkpointStore(domain);
            // Before any bitmap exists: a process killed from here until the metadata is stored
            // leaves the intent, and the next call removes the bitmaps (see settle).
            store.saveIntent(CheckpointIntent.create(withParent).format());
            try {
                mech.create(dom, withParent, flags.contains(CheckpointCreateFlag.QUIESCE));
                commitCreated(domain, withParent);
            } catch (RuntimeException e) {
                // Bitmaps without metadata would record writes for ever and block the next create
                // of this name; none of this name can be another checkpoint's (it has no metadata).
                try {
                    mech.discardBitmaps(dom, List.of(withParent));
                    store.clearIntent();
                } catch (BackpointException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            store.clearIntent();
            return withParent.name();
        }
    }

    /** Aligns a parsed new checkpoint against the domain, checks it, and names its parent (the current one). */
    private CheckpointDef prepareNew(DomainInfo dom, CheckpointTree tree, CheckpointDef def) {
        DomainDef live = driver.definition(dom.name());
        CheckpointDef aligned = CheckpointAlign.align(def.withDomain(live));
        if (tree.contains(aligned.name())) {
            throw BackpointException.of(ErrorCode.OPERATION_FAILED, "domain moment %s already exists", aligned.name());
        }
        driver.checkpointStore(dom.name()).checkWritable(aligned.name());
        driver.checkpoints().prepare(dom, aligned);
        CheckpointTree.Node current = tree.current();
        return aligned.withParentName(current == null ? null : current.name());
    }

    /**
     * For a backup that creates a checkpoint at its own instant: parses, aligns and checks the
     * checkpoint; nothing is created. The caller holds the domain lock.
     */
    public CheckpointDef prepareForBackup(DomainInfo dom, String xml) {
        CheckpointDef def = CheckpointXml.parse(xml, EnumSet.noneOf(CheckpointParseFlag.class), driver.clock());
        return prepareNew(dom, tree(dom.name()), def);
    }

    /** Stores a checkpoint whose bitmaps the driver has created, and makes it current. Caller holds the lock. */
    public void commitCreated(String domain, CheckpointDef def) {
        // Not tree(): this runs while the create's own intent is stored, which settling would undo.
        CheckpointTree tree = loadTree(domain);
        CheckpointStore store = driver.checkpointStore(domain);
        store.save(def);
        tree.setCurrent(tree.add(def));
        remember(domain, tree, store);
    }

    /** The stored definition of a checkpoint, or null. Caller holds the lock. */
    public CheckpointDef find(String domain, String name) {
        CheckpointTree.Node n = tree(domain).get(name);
        return n == null ? null : n.def();
    }

    private String redefine(DomainInfo dom, CheckpointTree tree, CheckpointStore store, CheckpointDef def, boolean validate) {
        String name = def.name();
        String parent = def.parentName();
        if (parent != null) {
            if (parent.equals(name)) {
                throw BackpointException.of(ErrorCode.INVALID_ARG, "cannot set moment %s as its own parent", name);
            }
            if (!tree.contains(parent)) {
                throw BackpointException.of(ErrorCode.INVALID_ARG, "parent %s for moment %s not found", parent, name);
            }
            String through = tree.cycleThrough(name, parent);
            if (through != null) {
                throw BackpointException.of(ErrorCode.INVALID_ARG, "parent %s would create cycle to %s", through, name);
            }
        }
        CheckpointDef prepared;
        if (def.domain() != null) {
            if (dom.uuid() != null && !dom.uuid().equalsIgnoreCase(String.valueOf(def.domain().uuid()))) {
                throw BackpointException.of(ErrorCode.INVALID_ARG, "definition for checkpoint %s must use uuid %s",
                        name, dom.uuid());
            }
            prepared = CheckpointAlign.align(def);
        } else {
            prepared = CheckpointAlign.assignDefaultBitmaps(def);
        }
        CheckpointTree.Node current = tree.current();
        boolean updateCurrent = current == null || (parent != null && parent.equals(current.name()));
        if (validate) {
            driver.checkpoints().validate(dom, prepared);
        }
        store.save(prepared);
        CheckpointTree.Node node = tree.contains(name) ? tree.replace(prepared) : tree.add(prepared);
        if (updateCurrent) {
            tree.setCurrent(node);
        }
        remember(dom.name(), tree, store);
        return name;
    }

    /** Throws NO_DOMAIN_CHECKPOINT unless the checkpoint exists. */
    public void requireCheckpoint(String domain, String name) {
        read(domain, tree -> node(tree, name));
    }

    /** Checkpoint names for a domain's list (from == null) or a checkpoint's children. */
    public List<String> list(String domain, String from, Set<CheckpointListFlag> flags) {
        return read(domain, tree -> {
            Collection<CheckpointTree.Node> nodes;
            if (from == null) {
                if (flags.contains(CheckpointListFlag.ROOTS)) {
                    nodes = tree.childrenNewestFirst(null);
                } else if (flags.contains(CheckpointListFlag.TOPOLOGICAL)) {
                    nodes = tree.descendants(null);
                } else {
                    nodes = tree.all();
                }
            } else {
                CheckpointTree.Node start = node(tree, from);
                nodes = flags.contains(CheckpointListFlag.DESCENDANTS) ? tree.descendants(start) : tree.childrenNewestFirst(start);
            }
            boolean leaves = flags.contains(CheckpointListFlag.LEAVES);
            boolean noLeaves = flags.contains(CheckpointListFlag.NO_LEAVES);
            List<String> names = new ArrayList<>(nodes.size());
            for (CheckpointTree.Node n : nodes) {
                boolean leaf = n.childCount() == 0;
                if ((leaves && !leaf) || (noLeaves && leaf)) {
                    continue;
                }
                names.add(n.name());
            }
            return names;
        });
    }

    /** The parent's name; NO_DOMAIN_CHECKPOINT when it is a root. */
    public String parent(String domain, String name) {
        return read(domain, tree -> {
            CheckpointTree.Node n = node(tree, name);
            if (n.parent() == null) {
                throw BackpointException.of(ErrorCode.NO_DOMAIN_CHECKPOINT, "checkpoint '%s' does not have a parent", name);
            }
            return n.parent().name();
        });
    }

    /** The stored definition. */
    public CheckpointDef definition(String domain, String name) {
        return read(domain, tree -> node(tree, name).def());
    }

    /** The checkpoint's XML with libvirt's format flags. */
    public String xml(String domain, String name, Set<CheckpointXmlFlag> flags) {
        try (DomainLock lock = driver.lock(domain)) {
            CheckpointDef def = node(tree(domain), name).def();
            EnumSet<CheckpointFormatFlag> format = EnumSet.noneOf(CheckpointFormatFlag.class);
            if (flags.contains(CheckpointXmlFlag.SECURE)) {
                format.add(CheckpointFormatFlag.SECURE);
            }
            if (flags.contains(CheckpointXmlFlag.NO_DOMAIN)) {
                format.add(CheckpointFormatFlag.NO_DOMAIN);
            }
            if (flags.contains(CheckpointXmlFlag.SIZE)) {
                format.add(CheckpointFormatFlag.SIZE);
                def = withSizes(requireDomain(domain), def);
            }
            return CheckpointXml.format(def, format);
        }
    }

    private CheckpointDef withSizes(DomainInfo dom, CheckpointDef def) {
        Map<String, Long> sizes = driver.checkpoints().sizes(dom, def);
        List<CheckpointDiskDef> disks = new ArrayList<>(def.disks().size());
        for (CheckpointDiskDef d : def.disks()) {
            disks.add(d.type() == CheckpointType.BITMAP ? d.withSize(sizes.get(d.name())) : d);
        }
        return def.withDisks(disks);
    }

    /** Deletes a checkpoint, its descendants, or both, as libvirt's virDomainCheckpointDelete. */
    public void delete(String domain, String name, Set<CheckpointDeleteFlag> flags) {
        exclusive(flags, CheckpointDeleteFlag.CHILDREN, CheckpointDeleteFlag.CHILDREN_ONLY,
                "VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN", "VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY");
        try (DomainLock lock = driver.lock(domain)) {
            DomainInfo dom = requireDomain(domain);
            CheckpointIntent settled = settle(domain);
            if (settled != null && !settled.create() && settled.name().equals(name) && settled.flags().equals(flags)
                    && !tree(domain).contains(name)) {
                // This very delete was interrupted, and settling it has just finished it.
                return;
            }
            deleteLocked(dom, name, flags, false);
        }
    }

    /**
     * The delete itself, under the lock. {@code settling}: finishing an interrupted delete whose
     * bitmaps may be gone already, so missing ones are not an error.
     */
    private void deleteLocked(DomainInfo dom, String name, Set<CheckpointDeleteFlag> flags, boolean settling) {
        String domain = dom.name();
        boolean metadataOnly = flags.contains(CheckpointDeleteFlag.METADATA_ONLY);
        boolean children = flags.contains(CheckpointDeleteFlag.CHILDREN);
        boolean childrenOnly = flags.contains(CheckpointDeleteFlag.CHILDREN_ONLY);
        CheckpointTree tree = loadTree(domain);
        CheckpointStore store = driver.checkpointStore(domain);
        CheckpointTree.Node node = node(tree, name);
        driver.checkpoints().checkDelete(dom, metadataOnly);

        List<CheckpointTree.Node> doomed = new ArrayList<>();
        if (children || childrenOnly) {
            doomed.addAll(tree.descendants(node));
        }
        if (!childrenOnly) {
            doomed.add(node);
        }
        if (!metadataOnly && !doomed.isEmpty()) {
            List<CheckpointDef> defs = new ArrayList<>(doomed.size());
            for (CheckpointTree.Node n : doomed) {
                defs.add(n.def());
            }
            if (settling) {
                driver.checkpoints().discardBitmaps(dom, defs);
            } else {
                // A process killed between removing the bitmaps and the metadata leaves this,
                // and the next call finishes the delete instead of failing on missing bitmaps.
                store.saveIntent(CheckpointIntent.delete(name, flags).format());
                try {
                    driver.checkpoints().delete(dom, defs);
                } catch (BackpointException e) {
                    // INTERNAL_ERROR is a refusal that removed nothing (QEMU's transaction, or a
                    // bitmap found missing before any removal): the delete failed and stays failed.
                    // Anything else may have removed some bitmaps: the intent stays, to finish it.
                    if (e.code() == ErrorCode.INTERNAL_ERROR) {
                        store.clearIntent();
                    }
                    throw e;
                }
            }
        }
        CheckpointTree.Node current = tree.current();
        boolean currentDoomed = false;
        // Leaves first, so that a crash part-way leaves every remaining file's parent present.
        for (int i = doomed.size() - 1; i >= 0; i--) {
            CheckpointTree.Node n = doomed.get(i);
            if (n == node) {
                continue;
            }
            currentDoomed |= n == current;
            store.delete(n.name());
            tree.remove(n);
        }
        if (currentDoomed) {
            tree.setCurrent(node);
        }
        if (!childrenOnly) {
            String newParent = node.def().parentName();
            for (CheckpointTree.Node child : new ArrayList<>(node.children())) {
                CheckpointDef moved = child.def().withParentName(newParent);
                store.save(moved);
                tree.updateDef(child, moved);
            }
            boolean wasCurrent = tree.current() == node;
            CheckpointTree.Node parentNode = node.parent();
            store.delete(node.name());
            tree.remove(node);
            if (wasCurrent) {
                tree.setCurrent(parentNode);
            }
        }
        remember(domain, tree, store);
        store.clearIntent();
    }

    /**
     * Settles what a create or delete killed part-way left (its intent): a create whose metadata
     * was not stored has its bitmaps removed; a delete is finished. Runs at the start of every
     * call on the domain, under its lock; returns the intent settled, or null. One that cannot
     * be settled now (QEMU not answering) stays for the next call.
     */
    private CheckpointIntent settle(String domain) {
        CheckpointStore store = driver.checkpointStore(domain);
        if (settling.get() || store.intent() == null) {
            return null;
        }
        settling.set(true);
        try {
            CheckpointIntent intent = CheckpointIntent.parse(store.intent());
            DomainInfo dom = requireDomain(domain);
            CheckpointTree tree = loadTree(domain);
            if (intent.create()) {
                if (!tree.contains(intent.name())) {
                    driver.checkpoints().discardBitmaps(dom, List.of(intent.def()));
                }
            } else if (tree.contains(intent.name())) {
                deleteLocked(dom, intent.name(), intent.flags(), true);
            }
            store.clearIntent();
            return intent;
        } catch (BackpointException e) {
            return null;
        } finally {
            settling.set(false);
        }
    }

    /**
     * Each disk whose bitmap of this checkpoint is missing or inconsistent, in the checkpoint's
     * order, with the reason and the way out; empty when every bitmap is usable or the driver
     * cannot tell.
     */
    public Map<String, String> problems(String domain, String name) {
        try (DomainLock lock = driver.lock(domain)) {
            CheckpointDef def = node(tree(domain), name).def();
            return driver.checkpoints().brokenBitmaps(requireDomain(domain), List.of(def)).getOrDefault(name, Map.of());
        }
    }

    /** Drops every checkpoint's metadata (undefine --checkpoints-metadata). */
    public void forget(String domain) {
        trees.remove(domain);
    }

    /** The domain's tree, after settling what an interrupted create or delete left. Caller holds the lock. */
    private CheckpointTree tree(String domain) {
        settle(domain);
        return loadTree(domain);
    }

    private CheckpointTree loadTree(String domain) {
        CheckpointStore store = driver.checkpointStore(domain);
        long generation = store.generation();
        Cached cached = trees.get(domain);
        if (cached != null && cached.generation() == generation && generation >= 0) {
            return cached.tree();
        }
        CheckpointStore.Loaded loaded = store.load();
        CheckpointTree tree = CheckpointTree.of(loaded.defs());
        List<String> problems = new ArrayList<>(loaded.problems());
        problems.addAll(tree.relationProblems());
        trees.put(domain, new Cached(tree, generation, List.copyOf(problems)));
        return tree;
    }

    private void remember(String domain, CheckpointTree tree, CheckpointStore store) {
        Cached previous = trees.get(domain);
        trees.put(domain, new Cached(tree, store.generation(), previous == null ? List.of() : previous.problems()));
    }

    /**
     * What loading the domain's checkpoint metadata found wrong: damaged or foreign files, by
     * name, and broken parent links. The checkpoints concerned are left out of (or re-rooted in)
     * the tree but never dropped from the store, so the caller must be able to show this.
     */
    public List<String> problems(String domain) {
        try (DomainLock lock = driver.lock(domain)) {
            tree(domain);
            return trees.get(domain).problems();
        }
    }

    private DomainInfo requireDomain(String domain) {
        DomainInfo dom = driver.domain(domain);
        if (dom == null) {
            throw BackpointException.noDomain(domain);
        }
        return dom;
    }

    static CheckpointTree.Node node(CheckpointTree tree, String name) {
        CheckpointTree.Node n = name == null ? null : tree.get(name);
        if (n == null) {
            throw BackpointException.of(ErrorCode.NO_DOMAIN_CHECKPOINT, "no domain checkpoint with matching name '%s'", name);
        }
        return n;
    }

    private static <E extends Enum<E>> void exclusive(Set<E> flags, E a, E b, String aName, String bName) {
        if (flags.contains(a) && flags.contains(b)) {
            throw BackpointException.invalidArg("Flags '%s' and '%s' are mutually exclusive", aName, bName);
        }
    }
}
