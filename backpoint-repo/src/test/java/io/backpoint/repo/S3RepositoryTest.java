package io.backpoint.repo;

import io.backpoint.repo.storage.ObjectStore;
import io.backpoint.repo.storage.ObjectStores;
import io.backpoint.repo.storage.S3TestServer;
import java.nio.file.Path;

/** The repository contract on S3 (a real Ceph RGW), each test in a bucket of its own. */
class S3RepositoryTest extends RepositoryContract {
    @Override
    ObjectStore newStore(Path scratch) {
        return ObjectStores.open(S3TestServer.get().newLocation("repo"));
    }

    @Override
    String container() {
        return "prefix";
    }
}
