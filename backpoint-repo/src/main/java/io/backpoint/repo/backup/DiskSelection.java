package io.backpoint.repo.backup;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.DiskFormat;
import io.backpoint.model.DomainDef;
import io.backpoint.model.DomainDiskDef;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Which disks a backup takes: every writable qcow2 disk by default (only qcow2 images carry the
 * persistent dirty bitmaps an incremental needs), or exactly those named, each of which must be one.
 */
final class DiskSelection {
    private DiskSelection() {
    }

    static List<String> select(DomainDef domain, List<String> named) {
        List<String> out = new ArrayList<>();
        if (named.isEmpty()) {
            for (DomainDiskDef d : domain.disks()) {
                if (eligible(d)) {
                    out.add(d.targetDev());
                }
            }
            if (out.isEmpty()) {
                throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED,
                        "domain '%s' has no writable qcow2 disk to back up", domain.name());
            }
            return out;
        }
        for (String name : new LinkedHashSet<>(named)) {
            DomainDiskDef d = domain.diskByTarget(name);
            if (d == null) {
                throw BackpointException.of(ErrorCode.INVALID_ARG, "domain '%s' has no disk '%s'", domain.name(), name);
            }
            if (!eligible(d)) {
                throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED,
                        "disk '%s' of domain '%s' cannot be backed up: only writable qcow2 disks are (it is %s)",
                        name, domain.name(), describe(d));
            }
            out.add(name);
        }
        return out;
    }

    private static boolean eligible(DomainDiskDef d) {
        return "disk".equals(d.device() == null ? "disk" : d.device()) && d.driverType() == DiskFormat.QCOW2
                && !d.readonly() && !d.empty();
    }

    private static String describe(DomainDiskDef d) {
        if (d.empty()) {
            return "empty";
        }
        if (d.readonly()) {
            return "read-only";
        }
        if (d.device() != null && !d.device().equals("disk")) {
            return "a " + d.device();
        }
        return d.driverType() == null ? "of unknown format" : d.driverType().xml();
    }
}
