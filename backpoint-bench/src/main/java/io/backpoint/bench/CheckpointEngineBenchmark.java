package io.backpoint.bench;

import io.backpoint.api.Checkpoint;
import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.vocab.CheckpointListFlag;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-operation cost of the checkpoint engine on {@code test:///default} with 100 / 1,000 /
 * 10,000 existing checkpoints (a chain, as a VM's history is). Create, lookup+XML and delete
 * must stay flat as the count grows; only listing may grow with it.
 *
 * <p>Create and delete change the tree, so each measured iteration starts from a freshly
 * populated domain and performs {@link #BATCH} operations (normalised per operation); the
 * tree therefore stays within {@link #BATCH} of its nominal size.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-XX:+UseParallelGC"})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CheckpointEngineBenchmark {
    static final int BATCH = 200;
    private static final String CREATE = "<domaincheckpoint><name>%s</name></domaincheckpoint>";

    /** A domain with {@code existing} checkpoints c0 - c1 - ... in a chain. */
    @State(Scope.Thread)
    public static class Populated {
        @Param({"100", "1000", "10000"})
        public int existing;

        Connection conn;
        Domain dom;
        String[] names;
        int cursor;

        void populate(int count) {
            conn = Connection.open("test:///default");
            dom = conn.domainByName("test");
            names = new String[count];
            for (int i = 0; i < count; i++) {
                names[i] = "c" + i;
                dom.createCheckpoint(String.format(CREATE, names[i]), 0);
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            conn.close();
        }
    }

    /** Populated once: for operations that do not change the tree. */
    @State(Scope.Thread)
    public static class ReadOnly extends Populated {
        @Setup(Level.Trial)
        public void setUp() {
            populate(existing);
        }

        String nextName() {
            // A stride that visits every checkpoint, not just neighbours.
            cursor = (cursor + 7919) % names.length;
            return names[cursor];
        }
    }

    /** Populated afresh before every iteration: for create, which grows the tree by BATCH. */
    @State(Scope.Thread)
    public static class ForCreate extends Populated {
        int iteration;

        @Setup(Level.Iteration)
        public void setUp() {
            if (conn != null) {
                conn.close();
            }
            populate(existing);
            iteration++;
        }
    }

    /** Populated afresh with BATCH more before every iteration: delete shrinks it back to {@code existing}. */
    @State(Scope.Thread)
    public static class ForDelete extends Populated {
        @Setup(Level.Iteration)
        public void setUp() {
            if (conn != null) {
                conn.close();
            }
            populate(existing + BATCH);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 10, batchSize = 1)
    @Measurement(iterations = 20, batchSize = 1)
    @OperationsPerInvocation(BATCH)
    public int create(ForCreate s) {
        int made = 0;
        for (int i = 0; i < BATCH; i++) {
            made += s.dom.createCheckpoint(String.format(CREATE, "n" + s.iteration + "-" + i), 0).name().length();
        }
        return made;
    }

    /** Deletes from the middle of the chain, so every delete re-parents a child. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 10, batchSize = 1)
    @Measurement(iterations = 20, batchSize = 1)
    @OperationsPerInvocation(BATCH)
    public int delete(ForDelete s) {
        int start = s.existing / 2;
        for (int i = start; i < start + BATCH; i++) {
            s.dom.checkpoint(s.names[i]).delete(0);
        }
        return BATCH;
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public String lookupXml(ReadOnly s) {
        Checkpoint c = s.dom.checkpoint(s.nextName());
        return c.xmlDesc(0);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public int list(ReadOnly s) {
        return s.dom.listCheckpoints(0).size();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public int listTopological(ReadOnly s) {
        return s.dom.listCheckpoints(CheckpointListFlag.TOPOLOGICAL.bit()).size();
    }
}
