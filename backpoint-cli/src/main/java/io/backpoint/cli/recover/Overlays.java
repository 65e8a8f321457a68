package io.backpoint.cli.recover;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.qemu.img.QemuImg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The qcow2 overlays of a recovery: created over the served exports, and asked whether they still depend on them. */
final class Overlays {
    private final QemuImg img;

    Overlays(QemuImg img) {
        this.img = img;
    }

    /** A new overlay over the disk's export (qemu-img opens the export, so the server must be up). */
    void create(RecoverState.Disk disk, Path socket) {
        try {
            Files.deleteIfExists(disk.overlay());
            img.create(disk.overlay(), "qcow2", disk.size(), NbdBacking.spec(socket, disk.name()), "raw");
            Files.setPosixFilePermissions(disk.overlay(), io.backpoint.util.OwnerOnly.FILE);
        } catch (IOException e) {
            throw BackpointException.of(ErrorCode.OPERATION_FAILED, "cannot create the overlay '%s' of disk '%s': %s",
                    disk.overlay(), disk.name(), e.getMessage());
        }
    }

    /**
     * True once the overlay holds all its data: QEMU's block-stream rewrites the image header
     * without a backing file when it completes. Read with force-share, as the VM holds the image.
     */
    boolean independent(RecoverState.Disk disk) {
        if (!Files.exists(disk.overlay())) {
            return false;
        }
        try {
            return img.info(disk.overlay(), true).backingFilename() == null;
        } catch (IOException e) {
            throw BackpointException.of(ErrorCode.OPERATION_FAILED, "cannot read the overlay '%s': %s", disk.overlay(),
                    e.getMessage());
        }
    }
}
