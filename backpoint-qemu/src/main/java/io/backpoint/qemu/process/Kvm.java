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
        // A regular file of that name (seen on shared machines) opens read-write too, yet is no KVM.
        if (java.nio.file.Files.isRegularFile(device)) {
            return false;
        }
        try (RandomAccessFile f = new RandomAccessFile(device.toFile(), "rw")) {
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }
}
