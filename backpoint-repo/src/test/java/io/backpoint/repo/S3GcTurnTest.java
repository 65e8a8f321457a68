package io.backpoint.repo;

import io.backpoint.repo.storage.ObjectStores;
import io.backpoint.repo.storage.S3TestServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * gc gets its turn on S3 too, the writers and gc in two separate clients as on two hosts. S3 keeps
 * object times to the second, so the lease is seconds long here.
 */
class S3GcTurnTest {
    @Test
    void gcGetsItsTurnAgainstConstantlyOverlappingBackupsOnS3() throws Exception {
        String location = S3TestServer.get().newLocation("repo");
        GcTurnTest.turn(() -> ObjectStores.open(location), Duration.ofSeconds(10));
    }
}
