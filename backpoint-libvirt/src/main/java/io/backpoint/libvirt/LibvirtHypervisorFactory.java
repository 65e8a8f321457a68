package io.backpoint.libvirt;

import io.backpoint.driver.Hypervisor;
import io.backpoint.driver.HypervisorFactory;
import java.net.URI;

/**
 * virsh's URIs go to libvirt's client library, with virsh's meaning: {@code qemu:///system},
 * {@code qemu:///session}, {@code qemu+unix:///system?socket=...}, {@code qemu+ssh://host/system}
 * and every other form libvirt accepts. Backpoint keeps {@code test:///default} and its
 * daemonless {@code qemu:///embed}.
 */
public final class LibvirtHypervisorFactory implements HypervisorFactory {
    @Override
    public boolean accepts(URI uri) {
        String scheme = uri.getScheme();
        if (scheme == null || scheme.equals("test")) {
            return false;
        }
        return !(scheme.equals("qemu") && "/embed".equals(uri.getPath()));
    }

    @Override
    public Hypervisor open(URI uri) {
        return LibvirtHypervisor.open(uri.toString());
    }
}
