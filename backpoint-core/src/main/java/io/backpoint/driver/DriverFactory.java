package io.backpoint.driver;

import java.net.URI;

/**
 * Opens drivers for connection URIs. Implementations are found with {@link java.util.ServiceLoader},
 * so the QEMU driver lives in its own module and the core does not depend on it.
 */
public interface DriverFactory {
    /** Whether this factory handles the URI's scheme. */
    boolean accepts(URI uri);

    Driver open(URI uri);
}
