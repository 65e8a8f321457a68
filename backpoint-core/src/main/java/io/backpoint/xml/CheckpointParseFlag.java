package io.backpoint.xml;

/** How {@link CheckpointXml#parse} reads a document (libvirt's VIR_DOMAIN_CHECKPOINT_PARSE_*). */
public enum CheckpointParseFlag {
    /**
     * The document describes an existing checkpoint (metadata being restored): name and
     * creationTime are required and kept, and parent and the embedded domain are read.
     */
    REDEFINE
}
