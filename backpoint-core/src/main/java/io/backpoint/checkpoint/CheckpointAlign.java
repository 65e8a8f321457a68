package io.backpoint.checkpoint;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.CheckpointDef;
import io.backpoint.model.CheckpointDiskDef;
import io.backpoint.model.CheckpointType;
import io.backpoint.model.DomainDef;
import io.backpoint.model.DomainDiskDef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Alignment of a checkpoint's disks with its domain (libvirt's virDomainCheckpointAlignDisks):
 * a separate step after parsing, because the same document is aligned against the live domain
 * when a checkpoint is created and against its own embedded domain when it is redefined.
 */
public final class CheckpointAlign {
    private CheckpointAlign() {}

    /**
     * Returns the checkpoint with exactly one disk entry per domain disk, in domain order: the
     * requested entries (a source path rewritten to the target), then defaults for the rest,
     * then default bitmap names.
     *
     * @throws BackpointException INTERNAL_ERROR without a domain; CONFIG_UNSUPPORTED for too many
     *     requests, a domain without disks, an unknown or repeated disk, or a bitmap requested on
     *     an empty or read-only disk
     */
    public static CheckpointDef align(CheckpointDef def) {
        Objects.requireNonNull(def, "def");
        DomainDef domain = def.domain();
        if (domain == null) {
            throw new BackpointException(ErrorCode.INTERNAL_ERROR, "missing domain in checkpoint");
        }
        List<DomainDiskDef> domainDisks = domain.disks();
        if (def.disks().size() > domainDisks.size()) {
            throw new BackpointException(ErrorCode.CONFIG_UNSUPPORTED, "too many disk checkpoint requests for domain");
        }
        if (domainDisks.isEmpty()) {
            throw new BackpointException(ErrorCode.CONFIG_UNSUPPORTED,
                    "domain must have at least one disk to perform checkpoints");
        }

        CheckpointDiskDef[] slots = new CheckpointDiskDef[domainDisks.size()];
        Set<String> seen = new HashSet<>();
        for (CheckpointDiskDef requested : def.disks()) {
            String name = requested.name();
            DomainDiskDef domainDisk = name == null ? null : domain.diskByName(name);
            if (domainDisk == null) {
                throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED, "no disk named '%s'", name);
            }
            if (!seen.add(domainDisk.targetDev())) {
                throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED, "disk '%s' specified twice", name);
            }
            // An entry made in code may still be DEFAULT; it means what an omitted attribute means.
            CheckpointType type = requested.type() == CheckpointType.DEFAULT ? CheckpointType.BITMAP : requested.type();
            if (unusable(domainDisk) && type != CheckpointType.NO) {
                throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED, "disk '%s' is empty or readonly", name);
            }
            slots[domainDisks.indexOf(domainDisk)] =
                    new CheckpointDiskDef(domainDisk.targetDev(), type, requested.bitmap(), requested.size());
        }

        // Without <disks>, every writable disk takes part; with it, only the listed ones.
        CheckpointType unlisted = def.disks().isEmpty() ? CheckpointType.BITMAP : CheckpointType.NO;
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] == null) {
                DomainDiskDef d = domainDisks.get(i);
                slots[i] = new CheckpointDiskDef(d.targetDev(), unusable(d) ? CheckpointType.NO : unlisted, null, null);
            }
        }
        return assignDefaultBitmaps(def.withDisks(Arrays.asList(slots)));
    }

    /** Gives every bitmap disk without a bitmap name the checkpoint's name; nothing else changes. */
    public static CheckpointDef assignDefaultBitmaps(CheckpointDef def) {
        Objects.requireNonNull(def, "def");
        List<CheckpointDiskDef> disks = new ArrayList<>(def.disks().size());
        boolean changed = false;
        for (CheckpointDiskDef d : def.disks()) {
            if (d.type() == CheckpointType.BITMAP && d.bitmap() == null) {
                disks.add(d.withBitmap(def.name()));
                changed = true;
            } else {
                disks.add(d);
            }
        }
        return changed ? def.withDisks(disks) : def;
    }

    private static boolean unusable(DomainDiskDef disk) {
        return disk.empty() || disk.readonly();
    }
}
