package io.backpoint.xml;

/** What {@link CheckpointXml#format} includes (libvirt's VIR_DOMAIN_CHECKPOINT_FORMAT_*). */
public enum CheckpointFormatFlag {
    /** Include security-sensitive parts of the embedded domain, such as graphics passwords. */
    SECURE,
    /** Leave out the embedded domain. */
    NO_DOMAIN,
    /** Include each disk's dirty byte count, where it is known. */
    SIZE
}
