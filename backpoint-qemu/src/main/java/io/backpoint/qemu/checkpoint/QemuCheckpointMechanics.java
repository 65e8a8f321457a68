package io.backpoint.qemu.driver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.api.CheckpointCreateFlag;
import io.backpoint.driver.CheckpointMechanics;
import io.backpoint.driver.DomainInfo;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.CheckpointDef;
import io.backpoint.model.CheckpointDiskDef;
import io.backpoint.model.CheckpointType;
import io.backpoint.model.DomainDef;
import io.backpoint.model.DomainDiskDef;
import io.backpoint.qemu.block.BitmapValidity;
import io.backpoint.qemu.block.BlockActions;
import io.backpoint.qemu.block.BlockNodeNames;
import io.backpoint.qemu.block.BlockNodes;
import io.backpoint.qemu.block.CheckpointPlanner;
import io.backpoint.qemu.img.ImageInfo;
import io.backpoint.qemu.img.QemuImg;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.qemu.qmp.QmpException;
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
 * checkpoint. On a running domain through QMP (one transaction for all disks); on a shut-off
 * domain, beyond libvirt, through {@code qemu-img bitmap} (the bitmaps then record from the
 * next start).
 */
final class QemuCheckpointMechanics implements CheckpointMechanics {
    private final QemuDriver driver;
    private final QemuImg qemuImg;

    QemuCheckpointMechanics(QemuDriver driver, QemuImg qemuImg) {
        this.driver = driver;
        this.qemuImg = qemuImg;
    }

    @Override
    public Set<CheckpointCreateFlag> supportedCreateFlags() {
        // QUIESCE needs a guest agent; libvirt's QEMU driver refuses it too.
        return EnumSet.of(CheckpointCreateFlag.REDEFINE, CheckpointCreateFlag.REDEFINE_VALIDATE);
    }

    @Override
    public void checkCreate(DomainInfo dom, Set<CheckpointCreateFlag> flags) {}

    @Override
    public void prepare(DomainInfo dom, CheckpointDef def) {
        DomainDef domain = def.domain();
        for (CheckpointDiskDef d : bitmapDisks(def)) {
            if (!def.name().equals(d.bitmap())) {
                throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED,
                        "bitmap for disk '%s' must match checkpoint name '%s'", d.name(), def.name());
            }
            DomainDiskDef disk = domain.diskByTarget(d.name());
            String format = disk.driverType() == null ? "raw" : disk.driverType();
            if (!"qcow2".equals(format)) {
                throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED,
                        "checkpoint for disk %s unsupported for storage type %s", d.name(), format);
            }
        }
    }

    @Override
    public void create(DomainInfo dom, CheckpointDef def) {
        List<CheckpointDiskDef> disks = bitmapDisks(def);
        if (disks.isEmpty()) {
            return;
        }
        if (dom.active()) {
            List<String> nodes = new ArrayList<>();
            for (CheckpointDiskDef d : disks) {
                nodes.add(BlockNodeNames.format(d.name()));
            }
            try (QmpClient qmp = driver.monitor(dom.name())) {
                qmp.transaction(CheckpointPlanner.create(def.name(), nodes));
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
                    "cannot add bitmap '" + def.name() + "' offline: " + e.getMessage(), e);
        }
    }

    @Override
    public void validate(DomainInfo dom, CheckpointDef def) {
        Map<String, String> broken = inconsistent(dom, List.of(def));
        if (broken.containsKey(def.name())) {
            throw new BackpointException(ErrorCode.CHECKPOINT_INCONSISTENT, broken.get(def.name()));
        }
    }

    @Override
    public void checkDelete(DomainInfo dom, boolean metadataOnly) {}

    @Override
    public void delete(DomainInfo dom, List<CheckpointDef> defs) {
        if (dom.active()) {
            // Removal goes straight to the transaction: reading every node's bitmaps first would
            // make a delete cost grow with the number of checkpoints. Only when QEMU says a
            // bitmap is missing do we look, to name the disk as libvirt does.
            List<ObjectNode> actions = new ArrayList<>();
            for (CheckpointDef def : defs) {
                for (CheckpointDiskDef d : bitmapDisks(def)) {
                    if (driver.liveDisk(dom.name(), d.name()) != null) {
                        actions.add(BlockActions.bitmapRemove(BlockNodeNames.format(d.name()), bitmapName(def)));
                    }
                }
            }
            if (actions.isEmpty()) {
                return;
            }
            try (QmpClient qmp = driver.monitor(dom.name())) {
                try {
                    qmp.transaction(actions);
                } catch (QmpException e) {
                    throw missingBitmapOr(qmp, defs, e);
                }
            } catch (IOException e) {
                throw QmpSessions.translate("transaction", e);
            }
            return;
        }
        // Offline there is no transaction: every bitmap is looked for before any is removed, so
        // a checkpoint whose bitmap is gone fails the delete without removing the others.
        DomainDef domain = driver.definition(dom.name());
        Map<Path, List<String>> removals = new LinkedHashMap<>();
        for (CheckpointDef def : defs) {
            for (CheckpointDiskDef d : bitmapDisks(def)) {
                Path image = imagePath(domain, d.name());
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
                            "cannot remove bitmap '" + bitmap + "' offline: " + ex.getMessage(), ex);
                }
            }
        }
    }

    @Override
    public Map<String, Long> sizes(DomainInfo dom, CheckpointDef def) {
        if (!dom.active()) {
            throw new BackpointException(ErrorCode.OPERATION_INVALID,
                    "domain is not running: the size of a checkpoint is read from the running QEMU");
        }
        String problem = inconsistent(dom, List.of(def)).get(def.name());
        if (problem != null) {
            throw new BackpointException(ErrorCode.CHECKPOINT_INCONSISTENT, problem);
        }
        Map<String, Long> sizes = new LinkedHashMap<>();
        try (QmpClient qmp = driver.monitor(dom.name())) {
            BlockNodes nodes = BlockNodes.parse(qmp.queryNamedBlockNodes());
            for (CheckpointDiskDef d : bitmapDisks(def)) {
                nodes.bitmap(BlockNodeNames.format(d.name()), bitmapName(def))
                        .ifPresent(b -> sizes.put(d.name(), b.count()));
            }
        } catch (IOException e) {
            throw QmpSessions.translate("query-named-block-nodes", e);
        }
        return sizes;
    }

    @Override
    public Map<String, String> inconsistent(DomainInfo dom, List<CheckpointDef> defs) {
        Map<String, String> broken = new LinkedHashMap<>();
        if (defs.isEmpty()) {
            return broken;
        }
        if (dom.active()) {
            BlockNodes nodes;
            try (QmpClient qmp = driver.monitor(dom.name())) {
                nodes = BlockNodes.parse(qmp.queryNamedBlockNodes());
            } catch (IOException e) {
                throw QmpSessions.translate("query-named-block-nodes", e);
            }
            for (CheckpointDef def : defs) {
                for (CheckpointDiskDef d : bitmapDisks(def)) {
                    if (driver.liveDisk(dom.name(), d.name()) == null) {
                        continue;
                    }
                    BitmapValidity.Result r = BitmapValidity.check(BlockNodeNames.format(d.name()), bitmapName(def), nodes);
                    if (!r.valid()) {
                        broken.put(def.name(), brokenMessage(bitmapName(def), d.name(), r.reason().toString()));
                        break;
                    }
                }
            }
            return broken;
        }
        DomainDef domain = driver.definition(dom.name());
        Map<String, ImageInfo> infos = new LinkedHashMap<>();
        for (CheckpointDef def : defs) {
            for (CheckpointDiskDef d : bitmapDisks(def)) {
                Path image = imagePath(domain, d.name());
                if (image == null) {
                    continue;
                }
                ImageInfo info;
                try {
                    info = infos.computeIfAbsent(d.name(), k -> readInfo(image));
                } catch (BackpointException e) {
                    broken.put(def.name(), e.detail());
                    break;
                }
                ImageInfo.Bitmap b = info.bitmap(bitmapName(def));
                String reason = b == null ? "MISSING_IN_TOP" : b.inUse() ? "INCONSISTENT" : !b.auto() ? "NOT_RECORDING" : null;
                if (reason != null) {
                    broken.put(def.name(), brokenMessage(bitmapName(def), d.name(), reason));
                    break;
                }
            }
        }
        return broken;
    }

    private ImageInfo readInfo(Path image) {
        try {
            return qemuImg.info(image);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED, "cannot read image '" + image + "': " + e.getMessage(), e);
        }
    }

    /** libvirt's message, plus what the user can do about it. */
    static String brokenMessage(String bitmap, String disk, String reason) {
        String why = switch (reason) {
            case "MISSING_IN_TOP" -> "the bitmap is gone from the image";
            case "INCONSISTENT" -> "the bitmap is inconsistent (QEMU did not stop cleanly)";
            case "NOT_RECORDING" -> "the bitmap is not recording";
            case "NOT_PERSISTENT" -> "the bitmap is not persistent";
            default -> "the bitmap chain is broken";
        };
        return "missing or broken bitmap '" + bitmap + "' for disk '" + disk + "' (" + why
                + "); delete the checkpoint (checkpoint-delete --metadata if its bitmaps are gone) and take a full backup";
    }

    /** After a failed removal: libvirt's "not found" error for the first missing bitmap, else the QMP error. */
    private IOException missingBitmapOr(QmpClient qmp, List<CheckpointDef> defs, QmpException cause) throws IOException {
        BlockNodes nodes = BlockNodes.parse(qmp.queryNamedBlockNodes());
        for (CheckpointDef def : defs) {
            for (CheckpointDiskDef d : bitmapDisks(def)) {
                String node = BlockNodeNames.format(d.name());
                if (nodes.hasNode(node) && nodes.bitmap(node, bitmapName(def)).isEmpty()) {
                    BackpointException e = notFound(bitmapName(def), d.name());
                    e.addSuppressed(cause);
                    throw e;
                }
            }
        }
        return cause;
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
