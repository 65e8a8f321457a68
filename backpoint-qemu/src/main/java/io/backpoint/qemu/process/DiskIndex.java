package io.backpoint.qemu.process;

/**
 * Disk target name to index, as libvirt numbers them (virDiskNameToIndex): the letters after
 * the bus prefix count in bijective base 26, so vda=0, vdz=25, vdaa=26. libvirt names a virtio
 * disk's device virtio-disk&lt;index&gt;, which fixes its qdev path; Backpoint keeps that.
 */
final class DiskIndex {
    private DiskIndex() {}

    /** The index of a virtio target (vd + lower-case letters), or -1 when the name is not one. */
    static int ofVirtioTarget(String target) {
        if (target == null || !target.startsWith("vd") || target.length() == 2) {
            return -1;
        }
        long idx = 0;
        for (int i = 2; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c < 'a' || c > 'z') {
                return -1;
            }
            idx = (i == 2 ? 0 : (idx + 1)) * 26 + (c - 'a');
            if (idx > Integer.MAX_VALUE / 27) {
                return -1;
            }
        }
        return (int) idx;
    }
}
