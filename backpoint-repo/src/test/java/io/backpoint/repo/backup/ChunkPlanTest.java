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

    @Test
    void withABaseOnlyTheDirtyPartsAreReadAndTheCleanOnesComeFromTheBaseChunk() {
        long size = 3 * CHUNK;
        ExtentMap alloc = map(size, 0, 8 * K, DATA, 8 * K, 8 * K, ZERO, 16 * K, size - 16 * K, DATA);
        // Chunk 0: dirty [4K, 12K) (half data, half now zero) and [32K, 36K); chunk 1 clean;
        // chunk 2: dirty [2C + 60K, 3C) (the end of the chunk).
        ExtentMap dirty = map(size, 0, 4 * K, CLEAN, 4 * K, 8 * K, DIRTY, 12 * K, 20 * K, CLEAN, 32 * K, 4 * K, DIRTY,
                36 * K, 2 * CHUNK + 24 * K, CLEAN, 2 * CHUNK + 60 * K, 4 * K, DIRTY);
        List<ChunkWork> plan = ChunkPlan.plan(alloc, dirty, CHUNK, 512, i -> true);
        assertThat(plan).extracting(ChunkWork::index).containsExactly(0L, 2L);
        ChunkWork c0 = plan.get(0);
        assertThat(c0.data()).as("from the VM: the dirty bytes that do not read as zero")
                .containsExactly(new ChunkWork.Range(4 * K, 4 * K), new ChunkWork.Range(32 * K, 4 * K));
        assertThat(c0.zeroes()).as("dirty and now zero: zero-filled, not read")
                .containsExactly(new ChunkWork.Range(8 * K, 4 * K));
        assertThat(c0.base()).as("the clean bytes: from the base chunk")
                .containsExactly(new ChunkWork.Range(0, 4 * K), new ChunkWork.Range(12 * K, 20 * K),
                        new ChunkWork.Range(36 * K, CHUNK - 36 * K));
        assertThat(c0.dataBytes()).isEqualTo(8 * K);
        assertThat(c0.withoutBase().data()).as("the fallback reads the chunk whole, holes left out")
                .containsExactly(new ChunkWork.Range(0, 8 * K), new ChunkWork.Range(16 * K, CHUNK - 16 * K));
        assertThat(c0.withoutBase().base()).isEmpty();
        ChunkWork c2 = plan.get(1);
        assertThat(c2.data()).containsExactly(new ChunkWork.Range(2 * CHUNK + 60 * K, 4 * K));
        assertThat(c2.base()).containsExactly(new ChunkWork.Range(2 * CHUNK, 60 * K));
        assertThat(c2.zeroes()).isEmpty();
    }

    @Test
    void aZeroBaseChunkGivesZeroesForTheCleanParts() {
        long size = 2 * CHUNK;
        ExtentMap alloc = map(size, 0, size, DATA);
        ExtentMap dirty = map(size, 0, CHUNK, CLEAN, CHUNK, 4 * K, DIRTY, CHUNK + 4 * K, CHUNK - 4 * K, CLEAN);
        List<ChunkWork> plan = ChunkPlan.plan(alloc, dirty, CHUNK, 512, i -> i != 1);
        assertThat(plan).hasSize(1);
        assertThat(plan.get(0).data()).containsExactly(new ChunkWork.Range(CHUNK, 4 * K));
        assertThat(plan.get(0).base()).as("the base chunk is all zero: nothing to fetch").isEmpty();
        assertThat(plan.get(0).zeroes()).containsExactly(new ChunkWork.Range(CHUNK + 4 * K, CHUNK - 4 * K));
    }

    @Test
    void aDirtyChunkThatNowReadsAsZeroIsAZeroChunkWhateverTheBase() {
        long size = CHUNK;
        ExtentMap alloc = map(size, 0, size, ZERO);
        ExtentMap dirty = map(size, 0, size, DIRTY);
        List<ChunkWork> plan = ChunkPlan.plan(alloc, dirty, CHUNK, 512, i -> true);
        assertThat(plan).hasSize(1);
        assertThat(plan.get(0).zero()).isTrue();
    }

    @Test
    void readsWidenedToTheBlockSizeAreNotAlsoTakenFromTheBase() {
        long size = CHUNK;
        ExtentMap alloc = map(size, 0, size, DATA);
        ExtentMap dirty = map(size, 0, 5 * K, CLEAN, 5 * K, 512, DIRTY, 5 * K + 512, CHUNK - 5 * K - 512, CLEAN);
        List<ChunkWork> plan = ChunkPlan.plan(alloc, dirty, CHUNK, 4096, i -> true);
        assertThat(plan.get(0).data()).containsExactly(new ChunkWork.Range(4 * K, 4 * K));
        assertThat(plan.get(0).base()).containsExactly(new ChunkWork.Range(0, 4 * K),
                new ChunkWork.Range(8 * K, CHUNK - 8 * K));
        assertThat(plan.get(0).zeroes()).isEmpty();
    }

    @Test
    void withoutABaseTheIncrementalReadsDirtyChunksWhole() {
        long size = CHUNK;
        ExtentMap alloc = map(size, 0, size, DATA);
        ExtentMap dirty = map(size, 0, 512, DIRTY, 512, CHUNK - 512, CLEAN);
        ChunkWork w = ChunkPlan.plan(alloc, dirty, CHUNK, 512, null).get(0);
        assertThat(w.data()).containsExactly(new ChunkWork.Range(0, CHUNK));
        assertThat(w.base()).isEmpty();
    }
}
