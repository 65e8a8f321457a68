package io.backpoint.driver;

import java.net.URI;

/**
 * Opens connections whose driver owns the whole API (see {@link Hypervisor}); found with
 * {@link java.util.ServiceLoader} before the {@link DriverFactory}s, so the libvirt driver lives in
 * its own module.
 */
public interface HypervisorFactory {
    /** Whether this factory handles the URI. */
    boolean accepts(URI uri);

    Hypervisor open(URI uri);
}
