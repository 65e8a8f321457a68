package io.backpoint.qemu.domain;

/**
 * How the checkpoint and backup mechanics reach a domain: the driver hands them the seam of the
 * domain whose lock the current call holds, so they need nothing else of the driver.
 */
@FunctionalInterface
public interface QemuDomains {
    /**
     * The seam of a domain the calling thread has locked.
     *
     * @throws IllegalStateException when the domain is not locked (a bug: the core locks first)
     */
    QemuDomain get(String name);
}
