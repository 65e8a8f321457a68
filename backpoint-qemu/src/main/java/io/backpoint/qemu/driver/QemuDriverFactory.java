package io.backpoint.qemu.driver;

import io.backpoint.driver.Driver;
import io.backpoint.driver.DriverFactory;
import java.net.URI;

/**
 * Opens the daemonless {@code qemu:///embed} connections; found through ServiceLoader. Other
 * {@code qemu:} URIs mean libvirtd (the libvirt driver, asked first); without it they get this
 * driver's error naming qemu:///embed.
 */
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
