package io.backpoint.libvirt;

import io.backpoint.model.DomainDef;
import io.backpoint.model.XmlNode;
import io.backpoint.xml.XmlInput;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether a libvirt checkpoint can be the base of an incremental backup, read from libvirt's own
 * answer: with the SIZE flag libvirt prints a disk's {@code size} only when that disk's bitmap chain
 * is valid (the bitmap in the top image, persistent, recording, not inconsistent). libvirt itself
 * checks this only when a backup begins, and then fails the whole backup; asking first lets the
 * caller take that disk full instead. After QEMU was killed the bitmap is either gone (created in
 * that QEMU's run: QEMU writes a new persistent bitmap to the image only when it closes it) or
 * inconsistent (it was loaded from the image, which was then left marked in-use).
 */
final class LibvirtBitmapCheck {
    private LibvirtBitmapCheck() {
    }

    /**
     * The problems of the checkpoint described by {@code sizedXml} (its XML formatted with SIZE):
     * each bitmap disk the domain still has but libvirt gives no size for, in the checkpoint's
     * order, with a reason naming that disk's own bitmap. Empty when every such disk has a size.
     */
    static Map<String, String> problems(String sizedXml, DomainDef domain) {
        XmlNode root = XmlInput.parse(sizedXml);
        XmlNode disks = root.child("disks");
        Map<String, String> broken = new LinkedHashMap<>();
        if (disks == null) {
            return broken;
        }
        for (XmlNode disk : disks.children("disk")) {
            String type = disk.attribute("checkpoint");
            boolean hasBitmap = type == null || type.equals("bitmap");
            String name = disk.attribute("name");
            // A disk removed from the domain since has no size either; it is not backed up.
            if (hasBitmap && disk.attribute("size") == null && name != null && domain.diskByTarget(name) != null) {
                broken.put(name, "missing or broken bitmap '" + disk.attribute("bitmap") + "' for disk '" + name
                        + "' (libvirt finds no valid bitmap: gone from the image, or inconsistent because QEMU did not "
                        + "stop cleanly); delete the checkpoint (checkpoint-delete --metadata if its bitmaps are gone) "
                        + "and take a full backup");
            }
        }
        return broken;
    }
}
