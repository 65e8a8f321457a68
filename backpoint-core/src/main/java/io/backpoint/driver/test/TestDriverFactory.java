package io.backpoint.driver.test;

import io.backpoint.driver.Driver;
import io.backpoint.driver.DriverFactory;
import java.net.URI;

/** Opens {@code test:} connections; found through ServiceLoader like every other driver. */
public final class TestDriverFactory implements DriverFactory {
    @Override
    public boolean accepts(URI uri) {
        return "test".equals(uri.getScheme());
    }

    @Override
    public Driver open(URI uri) {
        return TestDriver.open(uri);
    }
}
