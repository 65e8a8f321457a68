package io.backpoint.qemu.agent;

import io.backpoint.api.BackupBeginFlag;
import io.backpoint.api.Connection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

/**
 * Run in a child JVM by the freeze-safety test: begins a quiesced backup and stops dead while
 * the guest is frozen, saying so on stdout, so that the test can SIGKILL it there.
 */
public final class FreezeAndWaitMain {
    private FreezeAndWaitMain() {}

    public static void main(String[] args) throws Exception {
        GuestFreeze.whileFrozen = () -> {
            System.out.println("FROZEN");
            System.out.flush();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (Connection conn = Connection.open(args[0])) {
            conn.domainByName(args[1]).backupBegin(Files.readString(Path.of(args[2])), null,
                    EnumSet.of(BackupBeginFlag.QUIESCE));
        }
        System.out.println("NOT KILLED");
    }
}
