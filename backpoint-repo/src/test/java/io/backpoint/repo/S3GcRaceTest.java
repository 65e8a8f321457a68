package io.backpoint.repo;

import io.backpoint.repo.storage.ObjectStores;
import io.backpoint.repo.storage.S3TestServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gc racing backups on S3, the writers and gc in two separate clients as on two hosts: nothing but
 * the bucket tells one about the other. S3 keeps object times to the second, so the lease is
 * seconds long here.
 */
class S3GcRaceTest {
    @TempDir
    Path tmp;

    @Test
    void gcRacingBackupsFromAnotherHostLosesNothing() throws Exception {
        String location = S3TestServer.get().newLocation("repo");
        GcRaceTest.race(() -> ObjectStores.open(location), Duration.ofSeconds(10), 12, tmp);
    }
}
