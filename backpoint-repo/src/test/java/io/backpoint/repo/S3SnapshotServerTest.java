package io.backpoint.repo;

import io.backpoint.repo.storage.ObjectStore;
import io.backpoint.repo.storage.ObjectStores;
import io.backpoint.repo.storage.S3TestServer;
import java.nio.file.Path;

/** serve on an S3 repository (a real Ceph RGW), each test in a bucket of its own. */
class S3SnapshotServerTest extends SnapshotServerTest {
    @Override
    ObjectStore newStore(Path root) {
        return ObjectStores.open(S3TestServer.get().newLocation("repo"));
    }
}
