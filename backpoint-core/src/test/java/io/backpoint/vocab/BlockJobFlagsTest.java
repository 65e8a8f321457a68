package io.backpoint.vocab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** libvirt's numbers for block pull and block job info: flags, job types, virsh's labels. */
class BlockJobFlagsTest {
    @Test
    void flagsHaveLibvirtsBits() {
        assertThat(BlockPullFlag.fromMask(64)).containsExactly(BlockPullFlag.BANDWIDTH_BYTES);
        assertThat(BlockPullFlag.toMask(EnumSet.allOf(BlockPullFlag.class))).isEqualTo(64);
        assertThat(BlockJobInfoFlag.fromMask(1)).containsExactly(BlockJobInfoFlag.BANDWIDTH_BYTES);
        assertThat(BlockPullFlag.fromMask(0)).isEmpty();
    }

    @Test
    void unknownBitsAreRefusedAsVirCheckFlagsDoes() {
        assertThatThrownBy(() -> BlockPullFlag.fromMask(1))
                .isInstanceOfSatisfying(BackpointException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARG))
                .hasMessageContaining("virDomainBlockPull");
        assertThatThrownBy(() -> BlockJobInfoFlag.fromMask(2)).hasMessageContaining("virDomainGetBlockJobInfo");
    }

    @Test
    void jobTypesHaveLibvirtsNumbersAndVirshsWords() {
        assertThat(BlockJobType.PULL.number()).isEqualTo(1);
        assertThat(BlockJobType.BACKUP.number()).isEqualTo(5);
        assertThat(BlockJobType.PULL.label()).isEqualTo("Block Pull");
        assertThat(BlockJobType.ACTIVE_COMMIT.label()).isEqualTo("Active Block Commit");
    }
}
