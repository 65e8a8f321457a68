package io.backpoint.qemu.driver;

import io.backpoint.api.Connection;
import io.backpoint.api.Domain;

/** Run in a child JVM by the two-process test: creates checkpoints PREFIX-0.. on a domain. */
public final class CreateCheckpointsMain {
    private CreateCheckpointsMain() {}

    public static void main(String[] args) {
        String uri = args[0];
        String domain = args[1];
        String prefix = args[2];
        int count = Integer.parseInt(args[3]);
        try (Connection conn = Connection.open(uri)) {
            Domain dom = conn.domainByName(domain);
            for (int i = 0; i < count; i++) {
                dom.createCheckpoint("<domaincheckpoint><name>" + prefix + "-" + i
                        + "</name><disks><disk name='vda'/></disks></domaincheckpoint>", 0);
            }
        }
    }
}
