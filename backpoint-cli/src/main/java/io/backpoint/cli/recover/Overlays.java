package io.backpoint.cli.recover;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.image.img.QemuImg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** The qcow2 overlays of a recovery: created over the served exports, and asked whether they still depend on them. */
final class Overlays {
    private final QemuImg img;

    Overlays(QemuImg img) {
        this.img = img;
    }

    /**
     * Makes the disk's overlay over its export (qemu-img opens the export, so the server must be
     * up). An overlay already there is made again only while it is empty, as a call killed
     * before the domain ran leaves it; one without backing (its copy completed) or with data of
     * its own (guest writes) may be the only copy of the disk, so it is refused, never replaced.
     */
    void create(RecoverState.Disk disk, Path socket, Path xml) {
        try {
            if (Files.exists(disk.overlay(), LinkOption.NOFOLLOW_LINKS)) {
                requireEmpty(disk, xml);
                Files.delete(disk.overlay());
            }
            img.create(disk.overlay(), "qcow2", disk.size(), NbdBacking.spec(socket, disk.name()), "raw");
            Files.setPosixFilePermissions(disk.overlay(), io.backpoint.util.OwnerOnly.FILE);
        } catch (IOException e) {
            throw BackpointException.of(ErrorCode.OPERATION_FAILED, "cannot create the overlay '%s' of disk '%s': %s",
                    disk.overlay(), disk.name(), e.getMessage());
        }
    }

    /** @param xml the recovered domain's XML, to define it again with */
    private void requireEmpty(RecoverState.Disk disk, Path xml) {
        String keep = "; recover never replaces it: define the domain again (backpoint define " + xml
                + ") and run recover again, or move the overlay away to start over";
        boolean ownData;
        try {
            if (img.info(disk.overlay(), "qcow2", false).backingFilename() == null) {
                throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                        "the overlay '%s' of disk '%s' exists and holds the whole disk (its copy completed)%s",
                        disk.overlay(), disk.name(), keep);
            }
            ownData = img.hasOwnData(disk.overlay(), "qcow2");
        } catch (IOException e) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID, "the overlay '%s' of disk '%s' exists and cannot be"
                    + " read (%s)%s", disk.overlay(), disk.name(), e.getMessage(), keep);
        }
        if (ownData) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                    "the overlay '%s' of disk '%s' exists and holds data written by the recovered domain%s",
                    disk.overlay(), disk.name(), keep);
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
