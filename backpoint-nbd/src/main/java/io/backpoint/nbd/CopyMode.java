package io.backpoint.nbd;

/** What a pull backup copies. */
public enum CopyMode {
    /** Everything the source has allocated. */
    FULL,
    /** Only what the dirty bitmap marks as changed. */
    INCREMENTAL
}
