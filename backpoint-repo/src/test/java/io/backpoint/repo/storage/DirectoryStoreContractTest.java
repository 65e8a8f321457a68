package io.backpoint.repo.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class DirectoryStoreContractTest extends ObjectStoreContract {
    @TempDir
    Path dir;

    @Override
    ObjectStore newStore() throws Exception {
        // The directory is what repo-init creates; the store refuses to invent it.
        return ObjectStores.open(Files.createDirectory(dir.resolve("repo")).toString());
    }
}
