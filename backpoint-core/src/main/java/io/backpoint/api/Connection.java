package io.backpoint.api;

import io.backpoint.driver.DomainInfo;
import io.backpoint.driver.Driver;
import io.backpoint.driver.DriverFactory;
import io.backpoint.driver.Hypervisor;
import io.backpoint.driver.HypervisorFactory;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A connection to a hypervisor driver, as libvirt's {@code virConnect}: {@code test:///default}
 * (in memory, one running domain "test"), {@code qemu:///embed?root=DIR} when the daemonless QEMU
 * driver is on the class path, and virsh's URIs ({@code qemu:///system}, {@code qemu+ssh://...})
 * when the libvirt driver is. Every call goes to one {@link Hypervisor}: the core's engine over a
 * {@link Driver}, or a driver that owns the whole API (libvirtd).
 */
public final class Connection implements AutoCloseable {
    private final Hypervisor hv;

    private Connection(Hypervisor hv) {
        this.hv = hv;
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
        for (HypervisorFactory factory : ServiceLoader.load(HypervisorFactory.class)) {
            if (factory.accepts(parsed)) {
                return new Connection(factory.open(parsed));
            }
        }
        for (DriverFactory factory : ServiceLoader.load(DriverFactory.class)) {
            if (factory.accepts(parsed)) {
                return of(factory.open(parsed));
            }
        }
        if ("qemu".equals(parsed.getScheme())) {
            // The QEMU driver is a separate artifact; a program that depends on backpoint-core
            // alone lands here and must learn which one to add.
            throw BackpointException.of(ErrorCode.NO_CONNECT,
                    "no connection driver available for %s: the QEMU driver is in io.backpoint:backpoint-qemu"
                            + " (qemu:///embed) and libvirtd is reached through io.backpoint:backpoint-libvirt; add one to the class path",
                    uri);
        }
        throw BackpointException.of(ErrorCode.NO_CONNECT, "no connection driver available for %s", uri);
    }

    /** Wraps an already open driver (embedding, tests). */
    public static Connection of(Driver driver) {
        return new Connection(new EngineHypervisor(driver));
    }

    /** Wraps an already open hypervisor that owns the whole API. */
    public static Connection of(Hypervisor hypervisor) {
        return new Connection(hypervisor);
    }

    public String uri() {
        return hv.uri();
    }

    /** Every domain, active or not. */
    public List<Domain> listAllDomains() {
        List<Domain> out = new ArrayList<>();
        for (DomainInfo info : hv.listDomains()) {
            out.add(new Domain(this, info.name()));
        }
        return out;
    }

    /** The domain with this name; NO_DOMAIN when there is none. */
    public Domain domainByName(String name) {
        if (name == null || hv.domain(name) == null) {
            throw BackpointException.noDomain(name);
        }
        return new Domain(this, name);
    }

    /** The domain with this UUID; NO_DOMAIN when there is none. */
    public Domain domainByUuid(String uuid) {
        for (DomainInfo info : hv.listDomains()) {
            if (info.uuid() != null && info.uuid().equalsIgnoreCase(uuid)) {
                return new Domain(this, info.name());
            }
        }
        throw BackpointException.of(ErrorCode.NO_DOMAIN, "no domain with matching uuid '%s'", uuid);
    }

    /** The active domain with this runtime id; NO_DOMAIN when there is none. */
    public Domain domainById(int id) {
        for (DomainInfo info : hv.listDomains()) {
            if (info.active() && info.id() == id) {
                return new Domain(this, info.name());
            }
        }
        throw BackpointException.of(ErrorCode.NO_DOMAIN, "no domain with matching id %d", id);
    }

    /** virDomainDefineXML: defines (or updates) a domain; returns it. */
    public Domain defineDomain(String xml) {
        return new Domain(this, hv.lifecycle("virDomainDefineXML").define(xml));
    }

    /**
     * The engine's driver behind this connection, for driver-specific operations; NO_SUPPORT when
     * the connection's driver owns the whole API (libvirtd).
     */
    public Driver driver() {
        Driver driver = hv.driver();
        if (driver == null) {
            throw new BackpointException(ErrorCode.NO_SUPPORT, "direct driver access on " + hv.uri());
        }
        return driver;
    }

    Hypervisor hypervisor() {
        return hv;
    }

    @Override
    public void close() {
        hv.close();
    }
}
