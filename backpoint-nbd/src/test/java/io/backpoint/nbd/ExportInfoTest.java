package io.backpoint.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The request sizes a reader derives from what the server said in NBD_OPT_GO. */
class ExportInfoTest {
    private static ExportInfo export(int minimum, int maximumPayload) {
        return new ExportInfo("e", 1L << 30, 0, minimum, 4096, maximumPayload);
    }

    @Test
    void bulkReadsAre256KiBWithinWhatTheServerTakes() {
        assertThat(export(1, 32 << 20).bulkRequest()).isEqualTo(256 << 10); // QEMU's 32 MiB maximum
        assertThat(export(512, 64 << 10).bulkRequest()).isEqualTo(64 << 10); // a server taking less
        assertThat(export(1 << 20, 32 << 20).bulkRequest()).isEqualTo(1 << 20); // a bigger minimum block
        assertThat(export(1, 32 << 20).maximumRequest()).isEqualTo(32 << 20);
        assertThat(export(4096, (64 << 20) + 1).maximumRequest()).isEqualTo(32 << 20); // capped, aligned
    }
}
