package io.backpoint.driver.test;

import io.backpoint.driver.CheckpointMechanics;
import io.backpoint.driver.DomainInfo;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.CheckpointDef;
import io.backpoint.model.CheckpointDiskDef;
import io.backpoint.model.CheckpointType;
import io.backpoint.vocab.CheckpointCreateFlag;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The test driver's checkpoint behaviour: an active domain is required (even to redefine), QUIESCE
 * is accepted and does nothing, REDEFINE_VALIDATE is not supported, and SIZE reports 1024 bytes
 * for every bitmap disk, as libvirt's test driver does.
 */
final class TestCheckpointMechanics implements CheckpointMechanics {
    static final long FAKE_SIZE = 1024;

    @Override
    public Set<CheckpointCreateFlag> supportedCreateFlags() {
        return EnumSet.of(CheckpointCreateFlag.REDEFINE, CheckpointCreateFlag.QUIESCE);
    }

    @Override
    public void checkCreate(DomainInfo dom, Set<CheckpointCreateFlag> flags) {
        requireActive(dom);
    }

    @Override
    public void prepare(DomainInfo dom, CheckpointDef aligned) {}

    @Override
    public void create(DomainInfo dom, CheckpointDef aligned) {}

    @Override
    public void validate(DomainInfo dom, CheckpointDef def) {
        throw new BackpointException(ErrorCode.INVALID_ARG, "REDEFINE_VALIDATE is not supported by the test driver");
    }

    @Override
    public void checkDelete(DomainInfo dom, boolean metadataOnly) {}

    @Override
    public void delete(DomainInfo dom, List<CheckpointDef> defs) {}

    @Override
    public Map<String, Long> sizes(DomainInfo dom, CheckpointDef def) {
        requireActive(dom);
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (CheckpointDiskDef d : def.disks()) {
            if (d.type() == CheckpointType.BITMAP) {
                sizes.put(d.name(), FAKE_SIZE);
            }
        }
        return sizes;
    }

    private static void requireActive(DomainInfo dom) {
        if (!dom.active()) {
            throw new BackpointException(ErrorCode.OPERATION_INVALID, "domain is not running");
        }
    }
}
