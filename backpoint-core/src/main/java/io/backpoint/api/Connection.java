package io.backpoint.api;

import io.backpoint.backup.BackupService;
import io.backpoint.checkpoint.CheckpointService;
import io.backpoint.driver.DomainInfo;
import io.backpoint.driver.Driver;
import io.backpoint.driver.DriverFactory;
import io.backpoint.driver.test.TestDriver;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A connection to a hypervisor driver, as libvirt's {@code virConnect}: {@code test:///default}
 * (in memory, one running domain "test"), or {@code qemu:///system}, {@code qemu:///session},
 * {@code qemu:///embed?root=DIR} when the QEMU driver is on the class path.
 */
public final class Connection implements AutoCloseable {
    private final Driver driver;
    private final CheckpointService checkpoints;
    private final BackupService backups;

    private Connection(Driver driver) {
        this.driver = driver;
        this.checkpoints = new CheckpointService(driver);
        this.backups = new BackupService(driver, checkpoints);
    }

    /** Opens a connection; NO_CONNECT when no driver handles the URI. */
    public static Connection open(String uri) {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (NullPointerException e) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "no connection URI given");
        } catch (URISyntaxException e) {
            // The reason and where, without the exception's own text (it repeats the URI).
            String reason = e.getReason();
            reason = reason.isEmpty() ? "malformed" : Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
            String where = e.getIndex() < 0 ? "" : " at character " + (e.getIndex() + 1);
            throw BackpointException.of(ErrorCode.INVALID_ARG, "invalid connection URI '%s': %s%s", uri, reason, where);
        }
        if ("test".equals(parsed.getScheme())) {
            return new Connection(TestDriver.open(parsed));
        }
        for (DriverFactory factory : ServiceLoader.load(DriverFactory.class)) {
            if (factory.accepts(parsed)) {
                return new Connection(factory.open(parsed));
            }
        }
        if ("qemu".equals(parsed.getScheme())) {
            // The QEMU driver is a separate artifact; a program that depends on backpoint-core
            // alone lands here and must learn which one to add.
            throw BackpointException.of(ErrorCode.NO_CONNECT,
                    "no connection driver available for %s: the QEMU driver is in io.backpoint:backpoint-qemu, add it to the class path",
                    uri);
        }
        throw BackpointException.of(ErrorCode.NO_CONNECT, "no connection driver available for %s", uri);
    }

    /** Wraps an already open driver (embedding, tests). */
    public static Connection of(Driver driver) {
        return new Connection(driver);
    }

    public String uri() {
        return driver.uri();
    }

    /** Every domain, active or not. */
    public List<Domain> listAllDomains() {
        List<Domain> out = new ArrayList<>();
        for (DomainInfo info : driver.listDomains()) {
            out.add(new Domain(this, info.name()));
        }
        return out;
    }

    /** The domain with this name; NO_DOMAIN when there is none. */
    public Domain domainByName(String name) {
        if (name == null || driver.domain(name) == null) {
            throw BackpointException.of(ErrorCode.NO_DOMAIN, "no domain with matching name '%s'", name);
        }
        return new Domain(this, name);
    }

    /** The domain with this UUID; NO_DOMAIN when there is none. */
    public Domain domainByUuid(String uuid) {
        for (DomainInfo info : driver.listDomains()) {
            if (info.uuid() != null && info.uuid().equalsIgnoreCase(uuid)) {
                return new Domain(this, info.name());
            }
        }
        throw BackpointException.of(ErrorCode.NO_DOMAIN, "no domain with matching uuid '%s'", uuid);
    }

    /** The active domain with this runtime id; NO_DOMAIN when there is none. */
    public Domain domainById(int id) {
        for (DomainInfo info : driver.listDomains()) {
            if (info.active() && info.id() == id) {
                return new Domain(this, info.name());
            }
        }
        throw BackpointException.of(ErrorCode.NO_DOMAIN, "no domain with matching id %d", id);
    }

    /** virDomainDefineXML: defines (or updates) a domain; returns it. */
    public Domain defineDomain(String xml) {
        return new Domain(this, driver.lifecycle("virDomainDefineXML").define(xml));
    }

    /** The driver behind this connection, for driver-specific operations (defining QEMU domains, backups). */
    public Driver driver() {
        return driver;
    }

    CheckpointService checkpoints() {
        return checkpoints;
    }

    BackupService backups() {
        return backups;
    }

    @Override
    public void close() {
        driver.close();
    }
}
