package io.backpoint.repo.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.nbd.Extent;
import io.backpoint.nbd.ExtentMap;
import io.backpoint.nbd.MetaContext;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which chunks a backup reads, and which parts of them, from the server's extent maps. */
class ChunkPlanTest {
    private static final int K = 1024;
    private static final int CHUNK = 64 * K;
    private static final int DATA = 0;
    private static final int ZERO = MetaContext.STATE_HOLE | MetaContext.STATE_ZERO;
    private static final int DIRTY = MetaContext.STATE_DIRTY;
    private static final int CLEAN = 0;

    private static ExtentMap map(long size, long... offsetLengthFlags) {
        List<Extent> extents = new java.util.ArrayList<>();
        for (int i = 0; i < offsetLengthFlags.length; i += 3) {
            extents.add(new Extent(offsetLengthFlags[i], offsetLengthFlags[i + 1], (int) offsetLengthFlags[i + 2]));
        }
        return ExtentMap.of(0, size, extents);
    }

    @Test
    void fullReadsEveryChunkWithDataAndSkipsZeroChunks() {
        // chunk 0: data then zero; chunk 1: zero; chunk 2: data; chunk 3 short (10 KiB): data.
        long size = 3 * CHUNK + 10 * K;
        ExtentMap alloc = map(size, 0, 16 * K, DATA, 16 * K, 2 * CHUNK - 16 * K, ZERO, 2 * CHUNK, CHUNK + 10 * K, DATA);
        List<ChunkWork> plan = ChunkPlan.plan(alloc, null, CHUNK, 512);
        assertThat(plan).extracting(ChunkWork::index).containsExactly(0L, 2L, 3L);
        assertThat(plan.get(0).data()).containsExactly(new ChunkWork.Range(0, 16 * K));
        assertThat(plan.get(2).length()).isEqualTo(10 * K);
        assertThat(plan.get(2).data()).containsExactly(new ChunkWork.Range(3 * CHUNK, 10 * K));
    }

    @Test
    void incrementalReadsWholeChunksWhereAnyByteIsDirtyAndRecordsNewZeroes() {
        long size = 4 * CHUNK;
        ExtentMap alloc = map(size, 0, CHUNK, DATA, CHUNK, CHUNK, ZERO, 2 * CHUNK, 2 * CHUNK, DATA);
        // One dirty byte-range of 512 bytes in chunk 0, chunk 1 (now zero) dirty, chunk 3 clean.
        ExtentMap dirty = map(size, 0, 512, DIRTY, 512, CHUNK - 512, CLEAN, CHUNK, CHUNK, DIRTY, 2 * CHUNK, 2 * CHUNK, CLEAN);
        List<ChunkWork> plan = ChunkPlan.plan(alloc, dirty, CHUNK, 512);
        assertThat(plan).extracting(ChunkWork::index).containsExactly(0L, 1L);
        assertThat(plan.get(0).data()).as("the whole chunk, not just the dirty bytes")
                .containsExactly(new ChunkWork.Range(0, CHUNK));
        assertThat(plan.get(1).zero()).as("a dirty chunk that now reads as zero is recorded as zero").isTrue();
    }

    @Test
    void dataRangesWidenToTheServersBlockSizeAndMerge() {
        long size = CHUNK;
        ExtentMap alloc = map(size, 0, 100, DATA, 100, 4000, ZERO, 4100, 100, DATA, 4200, CHUNK - 4200, ZERO);
        List<ChunkWork> plan = ChunkPlan.plan(alloc, null, CHUNK, 4096);
        assertThat(plan.get(0).data()).containsExactly(new ChunkWork.Range(0, 8192));
    }
}
