package io.backpoint.qemu.driver;

import io.backpoint.api.Connection;
import java.nio.file.Files;
import java.nio.file.Path;

/** Run in a child JVM under umask 000 by StateSecurityTest: defines a domain and checkpoints it offline. */
public final class UmaskChildMain {
    private UmaskChildMain() {}

    public static void main(String[] args) throws Exception {
        try (Connection conn = Connection.open(args[0])) {
            conn.defineDomain(Files.readString(Path.of(args[1])))
                    .createCheckpoint("<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
        }
    }
}
