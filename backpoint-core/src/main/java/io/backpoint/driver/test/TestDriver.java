package io.backpoint.driver.test;

import io.backpoint.api.DomainState;
import io.backpoint.checkpoint.CheckpointStore;
import io.backpoint.checkpoint.MemoryCheckpointStore;
import io.backpoint.driver.CheckpointMechanics;
import io.backpoint.driver.DomainInfo;
import io.backpoint.driver.DomainLock;
import io.backpoint.driver.Driver;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.DomainDef;
import io.backpoint.xml.DomainXml;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * libvirt's test driver at {@code test:///default}: in memory, fresh for every connection, one
 * running domain named "test". Checkpoints are metadata only.
 */
public final class TestDriver implements Driver {
    static final String DEFAULT_URI = "test:///default";
    private static final String DOMAIN_RESOURCE = "default-domain.xml";

    private final Clock clock;
    private final DomainDef domain;
    private final DomainInfo info;
    private final CheckpointStore store = new MemoryCheckpointStore();
    private final ReentrantLock lock = new ReentrantLock();
    private final TestCheckpointMechanics mechanics = new TestCheckpointMechanics();

    TestDriver(Clock clock) {
        this.clock = clock;
        this.domain = DomainXml.parse(resource(DOMAIN_RESOURCE));
        this.info = new DomainInfo(domain.name(), domain.uuid(), DomainState.RUNNING, 1, true);
    }

    /** Opens the driver for a test: URI; only test:///default exists. */
    public static TestDriver open(URI uri) {
        return open(uri, Clock.systemUTC());
    }

    public static TestDriver open(URI uri, Clock clock) {
        String path = uri.getPath();
        if (!"test".equals(uri.getScheme()) || !"/default".equals(path) || uri.getQuery() != null
                || uri.getRawAuthority() != null) {
            throw BackpointException.of(ErrorCode.NO_CONNECT,
                    "only %s is supported by the test driver, not '%s'", DEFAULT_URI, uri);
        }
        return new TestDriver(clock);
    }

    @Override
    public String uri() {
        return DEFAULT_URI;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public List<DomainInfo> listDomains() {
        return List.of(info);
    }

    @Override
    public DomainInfo domain(String name) {
        return info.name().equals(name) ? info : null;
    }

    @Override
    public DomainDef definition(String name) {
        require(name);
        return domain;
    }

    @Override
    public String domainXml(String name, boolean secure, boolean inactive) {
        require(name);
        EnumSet<DomainXml.FormatFlag> flags = EnumSet.noneOf(DomainXml.FormatFlag.class);
        if (secure) {
            flags.add(DomainXml.FormatFlag.SECURE);
        }
        if (inactive) {
            flags.add(DomainXml.FormatFlag.INACTIVE);
        }
        return DomainXml.format(domain, flags);
    }

    @Override
    public DomainLock lock(String name) {
        lock.lock();
        return lock::unlock;
    }

    @Override
    public CheckpointStore checkpointStore(String name) {
        require(name);
        return store;
    }

    @Override
    public CheckpointMechanics checkpoints() {
        return mechanics;
    }

    private void require(String name) {
        if (domain(name) == null) {
            throw BackpointException.of(ErrorCode.NO_DOMAIN, "no domain with matching name '%s'", name);
        }
    }

    private static String resource(String name) {
        try (InputStream in = TestDriver.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
