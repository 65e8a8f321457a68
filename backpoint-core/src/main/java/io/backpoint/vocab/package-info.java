/**
 * The words every layer speaks: libvirt's public flags, domain states and job records (what
 * libvirt declares in {@code libvirt-domain*.h}). A leaf: the driver SPI, the engine and the API
 * all use it, and it uses nothing of theirs, so none of them has to import another to name a flag.
 */
package io.backpoint.vocab;
