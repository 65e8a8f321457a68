package io.backpoint.qemu.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.driver.CheckpointMechanics;
import io.backpoint.driver.DomainInfo;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.CheckpointDef;
import io.backpoint.model.CheckpointDiskDef;
import io.backpoint.model.CheckpointType;
import io.backpoint.model.DiskFormat;
import io.backpoint.model.DomainDef;
import io.backpoint.model.DomainDiskDef;
import io.backpoint.qemu.agent.GuestFreeze;
import io.backpoint.qemu.block.BitmapProblem;
import io.backpoint.qemu.block.BitmapValidity;
import io.backpoint.qemu.block.BlockNodeNames;
import io.backpoint.qemu.block.BlockNodes;
import io.backpoint.qemu.block.CheckpointPlanner;
import io.backpoint.qemu.block.SizePlanner;
import io.backpoint.qemu.domain.QemuDomain;
import io.backpoint.qemu.domain.QemuDomains;
import io.backpoint.qemu.domain.QmpSessions;
import io.backpoint.image.img.ImageInfo;
import io.backpoint.image.img.QemuImg;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.qemu.qmp.QmpCommands;
import io.backpoint.qemu.qmp.QmpStep;
import io.backpoint.util.IoErrors;
import io.backpoint.vocab.CheckpointCreateFlag;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checkpoints as persistent qcow2 dirty bitmaps, one per checkpoint per disk, named after the
 * checkpoint (libvirt's qemu_checkpoint). On a running domain through QMP, every command from
 * the chain-aware planners of {@code block}; on a shut-off domain, beyond libvirt, through
 * {@code qemu-img bitmap} (the bitmaps then record from the next start).
 */
public final class QemuCheckpointMechanics implements CheckpointMechanics {
    private final QemuDomains domains;
    private final QemuImg qemuImg;

    public QemuCheckpointMechanics(QemuDomains domains, QemuImg qemuImg) {
        this.domains = domains;
        this.qemuImg = qemuImg;
    }

    @Override
    public Set<CheckpointCreateFlag> supportedCreateFlags() {
        // QUIESCE goes through the guest agent; libvirt's QEMU driver refuses it.
        return EnumSet.of(CheckpointCreateFlag.REDEFINE, CheckpointCreateFlag.REDEFINE_VALIDATE, CheckpointCreateFlag.QUIESCE);
    }

    @Override
    public void checkCreate(DomainInfo dom, Set<CheckpointCreateFlag> flags) {}

    @Override
    public void prepare(DomainInfo dom, CheckpointDef def) {
        refuseReservedName(def.name());
        DomainDef domain = def.domain();
        for (CheckpointDiskDef d : bitmapDisks(def)) {
            if (!def.name().equals(d.bitmap())) {
                throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED,
                        "bitmap for disk '%s' must match checkpoint name '%s'", d.name(), def.name());
            }
            DomainDiskDef disk = domain.diskByTarget(d.name());
            DiskFormat format = disk.driverType() == null ? DiskFormat.RAW : disk.driverType();
            if (format != DiskFormat.QCOW2) {
                throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED,
                        "checkpoint for disk %s unsupported for storage type %s", d.name(), format.xml());
            }
        }
    }

    /** Names a backup gives its own bitmaps are not checkpoint names (see {@link BlockNodeNames#TEMP_BITMAP_PREFIX}). */
    static void refuseReservedName(String name) {
        if (name.startsWith(BlockNodeNames.TEMP_BITMAP_PREFIX)) {
            throw BackpointException.of(ErrorCode.INVALID_ARG,
                    "checkpoint name '%s' is reserved: Backpoint names the temporary bitmaps of backups '%s<disk>';"
                            + " choose a name that does not start with '%s'",
                    name, BlockNodeNames.TEMP_BITMAP_PREFIX, BlockNodeNames.TEMP_BITMAP_PREFIX);
        }
    }

    @Override
    public void create(DomainInfo dom, CheckpointDef def) {
        create(dom, def, false);
    }

    /** With {@code quiesce}, the guest's file systems are frozen through its agent around the transaction. */
    @Override
    public void create(DomainInfo dom, CheckpointDef def, boolean quiesce) {
        if (quiesce && !dom.active()) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                    "quiesce needs a running domain with a guest agent; domain '%s' is shut off", dom.name());
        }
        List<CheckpointDiskDef> disks = bitmapDisks(def);
        if (disks.isEmpty()) {
            return;
        }
        if (dom.active()) {
            List<String> nodes = new ArrayList<>();
            for (CheckpointDiskDef d : disks) {
                nodes.add(BlockNodeNames.chain(d.name()).get(0));
            }
            QemuDomain domain = domains.get(dom.name());
            QmpStep step = QmpCommands.transaction(CheckpointPlanner.create(def.name(), nodes));
            if (!quiesce) {
                run(domain, "transaction", step);
                return;
            }
            // The agent is checked before the monitor is even opened: nothing is created for a silent guest.
            try (GuestFreeze freeze = domain.guestFreeze()) {
                QmpClient qmp = domain.qmp();
                freeze.around(() -> qmp.execute(step));
            } catch (IOException e) {
                throw QmpSessions.translate("transaction", e);
            }
            return;
        }
        List<Path> added = new ArrayList<>();
        try {
            for (CheckpointDiskDef d : disks) {
                Path image = imagePath(def.domain(), d.name());
                qemuImg.bitmapAdd(image, def.name(), null, true);
                added.add(image);
            }
        } catch (IOException e) {
            for (Path image : added) {
                try {
                    qemuImg.bitmapRemove(image, def.name());
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot add bitmap '" + def.name() + "' offline: " + IoErrors.reason(e), e);
        }
    }

    @Override
    public void validate(DomainInfo dom, CheckpointDef def) {
        Map<String, String> broken = brokenBitmaps(dom, List.of(def)).getOrDefault(def.name(), Map.of());
        if (!broken.isEmpty()) {
            throw new BackpointException(ErrorCode.CHECKPOINT_INCONSISTENT, broken.values().iterator().next());
        }
    }

    @Override
    public void checkDelete(DomainInfo dom, boolean metadataOnly) {}

    @Override
    public void delete(DomainInfo dom, List<CheckpointDef> defs) {
        QemuDomain domain = domains.get(dom.name());
        if (dom.active()) {
            // The planner removes the bitmap from every layer of each chain that has it; a disk
            // where no layer has it fails the delete before anything is removed, as offline.
            BlockNodes nodes = nodes(domain);
            List<ObjectNode> actions = new ArrayList<>();
            for (CheckpointDef def : defs) {
                Map<String, List<String>> chains = chains(domain, def, nodes);
                CheckpointPlanner.DeletePlan plan = CheckpointPlanner.delete(bitmapName(def), chains, nodes);
                if (!plan.disksWithoutBitmap().isEmpty()) {
                    throw notFound(bitmapName(def), plan.disksWithoutBitmap().get(0));
                }
                actions.addAll(plan.actions());
            }
            if (!actions.isEmpty()) {
                run(domain, "transaction", QmpCommands.transaction(actions));
            }
            return;
        }
        // Offline there is no transaction: every bitmap is looked for before any is removed, so
        // a checkpoint whose bitmap is gone fails the delete without removing the others.
        Map<Path, List<String>> removals = new LinkedHashMap<>();
        for (CheckpointDef def : defs) {
            for (CheckpointDiskDef d : bitmapDisks(def)) {
                Path image = imagePath(domain.definition(), d.name());
                if (image == null) {
                    continue;
                }
                if (readInfo(image).bitmap(bitmapName(def)) == null) {
                    throw notFound(bitmapName(def), d.name());
                }
                removals.computeIfAbsent(image, k -> new ArrayList<>()).add(bitmapName(def));
            }
        }
        for (Map.Entry<Path, List<String>> e : removals.entrySet()) {
            for (String bitmap : e.getValue()) {
                try {
                    qemuImg.bitmapRemove(e.getKey(), bitmap);
                } catch (IOException ex) {
                    throw new BackpointException(ErrorCode.OPERATION_FAILED,
                            "cannot remove bitmap '" + bitmap + "' offline: " + IoErrors.reason(ex), ex);
                }
            }
        }
    }

    /**
     * Removes the bitmaps of these checkpoints that exist, looking first (on a running domain
     * one transaction of those QEMU has, from every layer of each chain; offline, image by
     * image), so a missing one is no error.
     */
    @Override
    public void discardBitmaps(DomainInfo dom, List<CheckpointDef> defs) {
        QemuDomain domain = domains.get(dom.name());
        if (dom.active()) {
            BlockNodes nodes = nodes(domain);
            List<ObjectNode> actions = new ArrayList<>();
            for (CheckpointDef def : defs) {
                actions.addAll(CheckpointPlanner.delete(bitmapName(def), chains(domain, def, nodes), nodes).actions());
            }
            if (!actions.isEmpty()) {
                run(domain, "transaction", QmpCommands.transaction(actions));
            }
            return;
        }
        for (CheckpointDef def : defs) {
            for (CheckpointDiskDef d : bitmapDisks(def)) {
                Path image = imagePath(domain.definition(), d.name());
                if (image == null || !java.nio.file.Files.exists(image) || readInfo(image).bitmap(bitmapName(def)) == null) {
                    continue;
                }
                try {
                    qemuImg.bitmapRemove(image, bitmapName(def));
                } catch (IOException e) {
                    throw new BackpointException(ErrorCode.OPERATION_FAILED,
                            "cannot remove bitmap '" + bitmapName(def) + "' offline: " + IoErrors.reason(e), e);
                }
            }
        }
    }

    /**
     * libvirt's way: a temporary bitmap on each disk's top node merges the checkpoint's bitmap
     * from every layer, is read, and goes again.
     */
    @Override
    public Map<String, Long> sizes(DomainInfo dom, CheckpointDef def) {
        if (!dom.active()) {
            throw new BackpointException(ErrorCode.OPERATION_INVALID,
                    "domain is not running: the size of a checkpoint is read from the running QEMU");
        }
        QemuDomain domain = domains.get(dom.name());
        BlockNodes nodes = nodes(domain);
        Map<String, List<String>> chains = chains(domain, def, nodes);
        Map<String, String> problems = diskProblems(def, domain.definition(), chains, nodes);
        if (!problems.isEmpty()) {
            throw new BackpointException(ErrorCode.CHECKPOINT_INCONSISTENT, problems.values().iterator().next());
        }
        SizePlanner.Plan plan = SizePlanner.plan(bitmapName(def), chains, nodes);
        if (plan.prepare().isEmpty()) {
            return Map.of();
        }
        if (!plan.stale().isEmpty()) {
            run(domain, "transaction", QmpCommands.transaction(plan.stale()));
        }
        run(domain, "transaction", QmpCommands.transaction(plan.prepare()));
        try {
            return SizePlanner.read(plan, nodes(domain));
        } finally {
            run(domain, "transaction", QmpCommands.transaction(plan.cleanup()));
        }
    }

    @Override
    public Map<String, Map<String, String>> brokenBitmaps(DomainInfo dom, List<CheckpointDef> defs) {
        Map<String, Map<String, String>> broken = new LinkedHashMap<>();
        if (defs.isEmpty()) {
            return broken;
        }
        QemuDomain domain = domains.get(dom.name());
        if (dom.active()) {
            BlockNodes nodes = nodes(domain);
            for (CheckpointDef def : defs) {
                Map<String, String> problems = diskProblems(def, domain.definition(), chains(domain, def, nodes), nodes);
                if (!problems.isEmpty()) {
                    broken.put(def.name(), problems);
                }
            }
            return broken;
        }
        Map<String, ImageInfo> infos = new LinkedHashMap<>();
        for (CheckpointDef def : defs) {
            Map<String, String> problems = new LinkedHashMap<>();
            for (CheckpointDiskDef d : bitmapDisks(def)) {
                String moved = movedSource(def, d, domain.definition());
                Path image = imagePath(domain.definition(), d.name());
                if (moved != null) {
                    problems.put(d.name(), moved);
                    continue;
                }
                if (image == null) {
                    continue;
                }
                ImageInfo info;
                try {
                    info = infos.computeIfAbsent(d.name(), k -> readInfo(image));
                } catch (BackpointException e) {
                    problems.put(d.name(), e.detail());
                    continue;
                }
                BitmapProblem problem = offlineProblem(info.bitmap(bitmapName(def)));
                if (problem != null) {
                    problems.put(d.name(), problem.message(bitmapName(def), d.name()));
                }
            }
            if (!problems.isEmpty()) {
                broken.put(def.name(), problems);
            }
        }
        return broken;
    }

    /**
     * Each disk of a running domain whose bitmap chain cannot serve the checkpoint, in the
     * checkpoint's order: its image was swapped, or the bitmap is missing or unusable.
     */
    private static Map<String, String> diskProblems(CheckpointDef def, DomainDef current, Map<String, List<String>> chains,
            BlockNodes nodes) {
        Map<String, String> problems = new LinkedHashMap<>();
        for (CheckpointDiskDef d : bitmapDisks(def)) {
            String moved = movedSource(def, d, current);
            if (moved != null) {
                problems.put(d.name(), moved);
                continue;
            }
            List<String> chain = chains.get(d.name());
            if (chain == null) {
                continue;
            }
            BitmapValidity.Result r = BitmapValidity.check(chain, bitmapName(def), nodes);
            if (!r.valid()) {
                problems.put(d.name(), r.problem().message(bitmapName(def), d.name()));
            }
        }
        return problems;
    }

    /**
     * Why a checkpoint's bitmap on this disk does not describe the disk any more: its source is
     * not the image the checkpoint was taken on (the definition was changed, two images swapped).
     * A bitmap of the same name in the other image would otherwise be used silently. Null when the
     * disk is where it was, or the checkpoint recorded no domain.
     */
    static String movedSource(CheckpointDef def, CheckpointDiskDef d, DomainDef current) {
        if (def.domain() == null) {
            return null;
        }
        DomainDiskDef then = def.domain().diskByTarget(d.name());
        DomainDiskDef now = current == null ? null : current.diskByTarget(d.name());
        if (then == null || then.source() == null || now == null || then.source().equals(now.source())) {
            return null;
        }
        return "disk '" + d.name() + "' of checkpoint '" + def.name() + "' was '" + then.source()
                + "' when the checkpoint was taken but is now '" + now.source()
                + "', so its bitmap does not describe this image; put the image back, or delete the checkpoint"
                + " (checkpoint-delete --metadata) and take a full backup";
    }

    /** The image's bitmap as qemu-img sees it, judged by the rules the live check applies. */
    private static BitmapProblem offlineProblem(ImageInfo.Bitmap b) {
        if (b == null) {
            return BitmapProblem.MISSING_IN_TOP;
        }
        if (b.inUse()) {
            return BitmapProblem.INCONSISTENT;
        }
        return b.auto() ? null : BitmapProblem.NOT_RECORDING;
    }

    /**
     * Each of the checkpoint's disks that the running domain still has, with its chain of format
     * nodes (top first), in the checkpoint's order.
     */
    private static Map<String, List<String>> chains(QemuDomain domain, CheckpointDef def, BlockNodes nodes) {
        Map<String, List<String>> chains = new LinkedHashMap<>();
        for (CheckpointDiskDef d : bitmapDisks(def)) {
            if (domain.definition().diskByTarget(d.name()) != null) {
                chains.put(d.name(), BlockNodeNames.chain(d.name()));
            }
        }
        return chains;
    }

    private static BlockNodes nodes(QemuDomain domain) {
        try {
            return BlockNodes.parse(domain.qmp().execute(QmpCommands.queryNamedBlockNodes()));
        } catch (IOException e) {
            throw QmpSessions.translate("query-named-block-nodes", e);
        }
    }

    private static void run(QemuDomain domain, String what, QmpStep step) {
        try {
            QmpClient qmp = domain.qmp();
            qmp.execute(step);
        } catch (IOException e) {
            throw QmpSessions.translate(what, e);
        }
    }

    private ImageInfo readInfo(Path image) {
        try {
            return qemuImg.info(image);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED, "cannot read image '" + image + "': " + IoErrors.reason(e), e);
        }
    }

    private static BackpointException notFound(String bitmap, String disk) {
        return BackpointException.of(ErrorCode.INTERNAL_ERROR, "bitmap '%s' not found in backing chain of '%s'", bitmap, disk);
    }

    /** The bitmap disks of a checkpoint. */
    static List<CheckpointDiskDef> bitmapDisks(CheckpointDef def) {
        List<CheckpointDiskDef> out = new ArrayList<>();
        for (CheckpointDiskDef d : def.disks()) {
            if (d.type() == CheckpointType.BITMAP && d.name() != null) {
                out.add(d);
            }
        }
        return out;
    }

    /** Backpoint requires the bitmap to carry the checkpoint's name, as libvirt's QEMU driver does. */
    private static String bitmapName(CheckpointDef def) {
        return def.name();
    }

    private static Path imagePath(DomainDef domain, String target) {
        DomainDiskDef disk = domain == null ? null : domain.diskByTarget(target);
        return disk == null || disk.empty() ? null : Path.of(disk.source());
    }
}
