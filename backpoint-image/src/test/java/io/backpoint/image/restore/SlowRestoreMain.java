package io.backpoint.image.restore;

import io.backpoint.image.img.QemuImg;
import java.nio.file.Path;
import java.util.List;

/**
 * Run in a child JVM by {@link RestoreSafetyTest}: restores one backup through a qemu-img whose
 * convert is rate-limited (a wrapper script), so the test can kill this process mid-restore.
 * Arguments: the qemu-img wrapper, the backup, the output.
 */
public final class SlowRestoreMain {
    private SlowRestoreMain() {}

    public static void main(String[] args) {
        QemuImg img = new QemuImg(args[0], java.time.Duration.ofMinutes(10));
        new Restorer(img).restore(RestoreChain.check(List.of(Path.of(args[1])), img, false), Path.of(args[2]),
                ImageFormat.RAW, null);
    }
}
