package io.backpoint.libvirt;

import io.backpoint.driver.BlockJobs;
import io.backpoint.vocab.BlockJobInfo;
import io.backpoint.vocab.BlockJobType;
import io.backpoint.vocab.BlockJobInfoFlag;
import io.backpoint.vocab.BlockPullFlag;
import java.util.Optional;

/** Block pull through libvirtd: libvirt's own calls, bandwidths asked and given in bytes/s. */
final class LibvirtBlockJobs implements BlockJobs {
    private final Libvirt lib;
    private final LibvirtHypervisor hv;

    LibvirtBlockJobs(Libvirt lib, LibvirtHypervisor hv) {
        this.lib = lib;
        this.hv = hv;
    }

    @Override
    public void pull(String domain, String disk, long bandwidth) {
        hv.onDomain(domain, dom -> LibvirtErrors.check(
                lib.virDomainBlockPull(dom, disk, bandwidth, BlockPullFlag.BANDWIDTH_BYTES.bit()), "virDomainBlockPull"));
    }

    @Override
    public Optional<BlockJobInfo> info(String domain, String disk) {
        return hv.onDomain(domain, dom -> {
            long[] info = new long[4];
            int rc = LibvirtErrors.check(lib.virDomainGetBlockJobInfo(dom, disk, info,
                    BlockJobInfoFlag.BANDWIDTH_BYTES.bit()), "virDomainGetBlockJobInfo");
            if (rc == 0) {
                return Optional.empty();
            }
            int type = (int) info[0];
            BlockJobType t = BlockJobType.UNKNOWN;
            for (BlockJobType candidate : BlockJobType.values()) {
                if (candidate.number() == type) {
                    t = candidate;
                }
            }
            return Optional.of(new BlockJobInfo(t, info[1], info[2], info[3]));
        });
    }
}
