package io.backpoint.qemu.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/** Whether this host can run KVM guests for this user. */
public final class Kvm {
    private Kvm() {}

    /** True when /dev/kvm opens read-write, which is what QEMU needs (permissions alone can lie). */
    public static boolean usable() {
        return usable(Path.of("/dev/kvm"));
    }

    static boolean usable(Path device) {
        try {
            // A regular file left at /dev/kvm (a stray write to it) opens read-write too.
            int mode = (Integer) java.nio.file.Files.getAttribute(device, "unix:mode");
            if ((mode & 0170000) != 0020000) {
                return false;
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
        try (RandomAccessFile f = new RandomAccessFile(device.toFile(), "rw")) {
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }
}
