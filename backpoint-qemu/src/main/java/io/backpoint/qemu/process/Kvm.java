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
        // A character device: a regular file of that name (left by a tool, or root's stray
        // redirection) opens read-write too, and QEMU then fails with "kvm version too old".
        if (!characterDevice(device)) {
            return false;
        }
        try (RandomAccessFile f = new RandomAccessFile(device.toFile(), "rw")) {
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    private static boolean characterDevice(Path device) {
        try {
            Object mode = java.nio.file.Files.getAttribute(device, "unix:mode");
            return mode instanceof Integer m && (m & 0170000) == 0020000;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return false;
        }
    }
}
