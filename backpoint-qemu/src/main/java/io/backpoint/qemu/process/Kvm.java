package io.backpoint.qemu.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this host can run KVM guests for this user. */
public final class Kvm {
    private Kvm() {}

    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;

    /**
     * True when /dev/kvm is a character device that opens read-write, which is what QEMU needs
     * (permissions alone can lie, and a regular file left at that path by a careless script
     * opens too).
     */
    public static boolean usable() {
        return usable(Path.of("/dev/kvm"));
    }

    static boolean usable(Path device) {
        try {
            if (((Integer) Files.getAttribute(device, "unix:mode") & S_IFMT) != S_IFCHR) {
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
