package io.backpoint.qemu.testing;

import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A test's domain {@value #NAME}, defined and started through the public API with its images in
 * {@code root/images} and the driver's state in {@code root/state}. Closing it destroys every
 * running domain of the connection, so no QEMU outlives the test.
 */
public final class RunningVm implements AutoCloseable {
    public static final String NAME = "vm1";

    private final Connection conn;
    private final Domain dom;
    private final Path images;

    private RunningVm(Connection conn, Domain dom, Path images) {
        this.conn = conn;
        this.dom = dom;
        this.images = images;
    }

    /** Creates the images (see {@link TestVm#domainXml(String, Path, long, String...)}), defines and starts the domain. */
    public static RunningVm start(Path root, long diskSize, String... formats) throws IOException, InterruptedException {
        Path images = Files.createDirectories(root.resolve("images"));
        Connection conn = Connection.open(TestVm.uri(root.resolve("state")));
        try {
            Domain dom = conn.defineDomain(TestVm.domainXml(NAME, images, diskSize, formats));
            dom.start();
            return new RunningVm(conn, dom, images);
        } catch (Throwable t) {
            try {
                close(conn);
            } catch (Throwable suppressed) {
                t.addSuppressed(suppressed);
            }
            throw t;
        }
    }

    public Connection conn() {
        return conn;
    }

    public Domain dom() {
        return dom;
    }

    public Path images() {
        return images;
    }

    /** The image of a target, as {@link TestVm#image} names it. */
    public Path image(String target, String format) {
        return TestVm.image(images, NAME, target, format);
    }

    @Override
    public void close() {
        close(conn);
    }

    private static void close(Connection conn) {
        try {
            TestVm.destroyAll(conn);
        } finally {
            conn.close();
        }
    }
}
