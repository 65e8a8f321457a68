package io.backpoint.qemu.backup;

import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.qemu.testing.TestVm;

/**
 * A separate process for tests: begins a throttled push backup and halts without any cleanup,
 * as a Backpoint process that is killed would.
 */
public final class BeginAndVanish {
    static final int EXIT_STATUS = 42;

    private BeginAndVanish() {}

    public static void main(String[] args) {
        Connection conn = Connection.open(args[0]);
        Domain dom = conn.domainByName(args[1]);
        // Warm up the monitor path first, so the throttle lands while the job still copies.
        TestVm.qmp(dom, "{\"execute\":\"query-jobs\"}");
        dom.backupBegin(args[2], null, 0);
        BackupProbe.throttle(dom, "vda", 1L << 20);
        Runtime.getRuntime().halt(EXIT_STATUS);
    }
}
