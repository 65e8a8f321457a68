package io.backpoint.driver;

import io.backpoint.vocab.BlockJobInfo;
import java.util.Optional;

/**
 * Block jobs on a running domain's disks, for drivers that run real domains. Bandwidths are in
 * bytes/s here; the API converts libvirt's MiB/s. A disk is named by its target ({@code vda}) or
 * its source path, as in libvirt.
 */
public interface BlockJobs {
    /**
     * virDomainBlockPull: copies the backing chain's data into the disk's top image in the
     * background, then drops the backing chain.
     *
     * @param bandwidth bytes/s, 0 for no limit
     */
    void pull(String domain, String disk, long bandwidth);

    /**
     * virDomainGetBlockJobInfo: the disk's running block job, empty when it has none (a job that
     * completed is gone, as in libvirt).
     */
    Optional<BlockJobInfo> info(String domain, String disk);
}
