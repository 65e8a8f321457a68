package io.backpoint.qemu.driver;

import io.backpoint.driver.Driver;
import io.backpoint.driver.DriverFactory;
import java.net.URI;

/** Opens {@code qemu:} connections; found through ServiceLoader. */
public final class QemuDriverFactory implements DriverFactory {
    @Override
    public boolean accepts(URI uri) {
        return "qemu".equals(uri.getScheme());
    }

    @Override
    public Driver open(URI uri) {
        return new QemuDriver(StateLayout.of(uri));
    }
}
