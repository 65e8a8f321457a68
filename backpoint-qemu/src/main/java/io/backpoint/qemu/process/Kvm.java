package io.backpoint.qemu.process;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

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
        // Never RandomAccessFile "rw": it creates a missing file, so root would leave a regular
        // /dev/kvm behind, which every later check (and QEMU) then mistakes for KVM.
        try (FileChannel f = FileChannel.open(device, StandardOpenOption.READ, StandardOpenOption.WRITE)) {

            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }
}
