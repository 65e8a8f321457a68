package io.backpoint.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What gets copied, zeroed or skipped, decided from extent maps alone. */
class CopyPlanTest {
    private static final int DATA = 0;
    private static final int HOLE_ZERO = MetaContext.STATE_HOLE | MetaContext.STATE_ZERO;
    private static final int ZERO = MetaContext.STATE_ZERO;
    private static final int HOLE = MetaContext.STATE_HOLE;

    private static ExtentMap map(long... offsetLengthFlags) {
        List<Extent> extents = new java.util.ArrayList<>();
        for (int i = 0; i < offsetLengthFlags.length; i += 3) {
            extents.add(new Extent(offsetLengthFlags[i], offsetLengthFlags[i + 1], (int) offsetLengthFlags[i + 2]));
        }
        Extent last = extents.get(extents.size() - 1);
        return ExtentMap.of(extents.get(0).offset(), last.end(), extents);
    }

    @Test
    void fullSkipsZeroesOnlyWhenTheDestinationIsZero() {
        ExtentMap alloc = map(0, 100, DATA, 100, 50, HOLE_ZERO, 150, 50, ZERO, 200, 30, HOLE, 230, 70, DATA);
        assertThat(CopyPlan.full(alloc, true)).containsExactly(
                new CopyTask(0, 100, false),
                // A hole not known to be zero has undefined contents: copy it, merged with the data after it.
                new CopyTask(200, 100, false));
        assertThat(CopyPlan.full(alloc, false)).containsExactly(
                new CopyTask(0, 100, false), new CopyTask(100, 100, true), new CopyTask(200, 100, false));
    }

    @Test
    void incrementalTakesDirtyExtentsAndZeroesThoseThatReadAsZero() {
        ExtentMap dirty = map(0, 64, 0, 64, 64, 1, 128, 128, 0, 256, 128, 1);
        ExtentMap alloc = map(0, 96, DATA, 96, 200, HOLE_ZERO, 296, 88, DATA);
        assertThat(CopyPlan.incremental(dirty, alloc)).containsExactly(
                new CopyTask(64, 32, false), new CopyTask(96, 32, true),
                new CopyTask(256, 40, true), new CopyTask(296, 88, false));
    }

    @Test
    void nothingDirtyMeansNothingToDo() {
        assertThat(CopyPlan.incremental(map(0, 1000, 0), map(0, 1000, DATA))).isEmpty();
    }

    @Test
    void splitCutsAtAbsoluteChunkBoundaries() {
        List<CopyTask> tasks = List.of(new CopyTask(100, 250, false), new CopyTask(350, 1000, true));
        assertThat(CopyPlan.split(tasks, 100, 512)).containsExactly(
                new CopyTask(100, 100, false), new CopyTask(200, 100, false), new CopyTask(300, 50, false),
                new CopyTask(350, 162, true), new CopyTask(512, 512, true), new CopyTask(1024, 326, true));
    }

    @Test
    void overlayCutsAtEveryBoundary() {
        List<ExtentMap.Segment> s = ExtentMap.overlay(map(0, 10, 1, 10, 10, 2), map(0, 5, 4, 5, 15, 8));
        assertThat(s).containsExactly(new ExtentMap.Segment(0, 5, 1, 4), new ExtentMap.Segment(5, 5, 1, 8),
                new ExtentMap.Segment(10, 10, 2, 8));
        assertThatThrownBy(() -> ExtentMap.overlay(map(0, 10, 1), map(0, 11, 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void extentMapMergesEqualNeighboursAndRejectsGaps() {
        assertThat(map(0, 10, 3, 10, 10, 3, 20, 5, 0).extents())
                .containsExactly(new Extent(0, 20, 3), new Extent(20, 5, 0));
        assertThatThrownBy(() -> ExtentMap.of(0, 30, List.of(new Extent(0, 10, 0), new Extent(11, 19, 0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not continue");
    }
}
