package io.backpoint.repo;

import io.backpoint.repo.storage.DirectoryStore;
import io.backpoint.repo.storage.ObjectStore;
import java.nio.file.Path;

/** The repository contract on the directory backend. */
class DirectoryRepositoryTest extends RepositoryContract {
    @Override
    ObjectStore newStore(Path scratch) {
        return new DirectoryStore(scratch);
    }
}
