package io.backpoint.checkpoint;

import io.backpoint.driver.CheckpointMechanics;
import io.backpoint.driver.CheckpointStore;
import io.backpoint.driver.DomainInfo;
import io.backpoint.driver.DomainLock;
import io.backpoint.driver.Driver;
import io.backpoint.driver.test.TestDriver;
import io.backpoint.model.DomainDef;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The test driver's domain and mechanics with checkpoint metadata in files under
 * {@code <state>/checkpoint/<domain>/}, as a persistent driver keeps it. A new instance over the
 * same state directory is what a restarted process sees.
 */
final class FileStoreDriver implements Driver {
    private final TestDriver inner;
    private final Path state;
    private final Map<String, FileCheckpointStore> stores = new HashMap<>();
    private final boolean newStoreEachCall;

    FileStoreDriver(Path state, Clock clock) {
        this(state, clock, false);
    }

    /** With newStoreEachCall, every call hands out a new store object, as a stateless driver might. */
    FileStoreDriver(Path state, Clock clock, boolean newStoreEachCall) {
        this.inner = TestDriver.open(URI.create("test:///default"), clock);
        this.state = state;
        this.newStoreEachCall = newStoreEachCall;
    }

    static Path checkpointDir(Path state, String domain) {
        return state.resolve("checkpoint").resolve(domain);
    }

    @Override
    public String uri() {
        return inner.uri();
    }

    @Override
    public Clock clock() {
        return inner.clock();
    }

    @Override
    public List<DomainInfo> listDomains() {
        return inner.listDomains();
    }

    @Override
    public DomainInfo domain(String name) {
        return inner.domain(name);
    }

    @Override
    public DomainDef definition(String name) {
        return inner.definition(name);
    }

    @Override
    public String domainXml(String name, boolean secure, boolean inactive) {
        return inner.domainXml(name, secure, inactive);
    }

    @Override
    public DomainLock lock(String name) {
        return inner.lock(name);
    }

    @Override
    public CheckpointStore checkpointStore(String name) {
        inner.definition(name); // NO_DOMAIN for an unknown domain
        if (newStoreEachCall) {
            return new FileCheckpointStore(checkpointDir(state, name));
        }
        return stores.computeIfAbsent(name, n -> new FileCheckpointStore(checkpointDir(state, n)));
    }

    @Override
    public CheckpointMechanics checkpoints() {
        return inner.checkpoints();
    }
}
