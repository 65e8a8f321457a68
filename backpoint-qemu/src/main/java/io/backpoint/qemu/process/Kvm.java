package io.backpoint.qemu.process;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
        // Never create it: RandomAccessFile "rw" would, and as root an empty regular /dev/kvm then
        // passes for KVM on every later check on the host. Only a device node counts.
        if (!Files.exists(device) || Files.isRegularFile(device, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(device)) {
            return false;
        }
        try (FileChannel f = FileChannel.open(device, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }
}
