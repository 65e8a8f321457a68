package io.backpoint.repo.backup;

import io.backpoint.repo.Repository;

/**
 * Whether an incremental takes the clean bytes of a dirty chunk from the previous snapshot's
 * chunk instead of reading the whole chunk from the VM. Both give the same chunk; they differ in
 * what they cost: a dirty extent of 64 KiB in a 4 MiB chunk needs 64 KiB from the VM plus one
 * stored chunk fetched and re-hashed (to check it), or 4 MiB from the VM.
 *
 * <p>The rule is per store (see the README's repository section for the measurements): on a
 * directory store the base chunk is a local file read: measured, the incremental took the same
 * time either way (hashing and storing whole chunks dominate) while reading ~47x less from the
 * VM, so it spares the VM's storage; on object storage it is one GET per dirty chunk, a request
 * of the store's latency plus the chunk's transfer, against a local NBD read of the same size
 * (measured 1.24x slower).
 */
final class BaseFill {
    private BaseFill() {
    }

    static boolean pays(Repository repo) {
        return pays(repo, System.getenv("BACKPOINT_BASE_FILL"));
    }

    /** {@code override}: "always" or "never" (for measuring one against the other), else the rule. */
    static boolean pays(Repository repo, String override) {
        if ("always".equals(override)) {
            return true;
        }
        if ("never".equals(override)) {
            return false;
        }
        return repo.local();
    }
}
