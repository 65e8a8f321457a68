package io.backpoint.repo;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a backup's time went, summed over every chunk and thread (so the parts overlap and can
 * add up to more than the wall time): measured, so a claim about what limits a backup is a
 * number, not a guess. Cheap enough to be always on (two clock reads per step).
 */
public final class WriteTimings {
    /** The steps of writing one chunk. */
    public enum Step {
        /** NBD reads of the VM's bytes, from the first request of a chunk to its last reply. */
        VM_READ("reading the VM"),
        /** The previous snapshot's chunk fetched, decompressed and checked. */
        BASE_READ("reading base chunks"),
        /** The zero check and SHA-256 of the new chunk. */
        HASH("hashing"),
        /** Encoding the stored form (copy and compression). */
        COMPRESS("compressing"),
        /** Asking the store whether it has the chunk and writing it (durably). */
        STORE("storing");

        private final String text;

        Step(String text) {
            this.text = text;
        }
    }

    private final Map<Step, LongAdder> nanos = new EnumMap<>(Step.class);

    public WriteTimings() {
        for (Step s : Step.values()) {
            nanos.put(s, new LongAdder());
        }
    }

    public void add(Step step, long startNanos) {
        nanos.get(step).add(System.nanoTime() - startNanos);
    }

    public double seconds(Step step) {
        return nanos.get(step).sum() / 1e9;
    }

    /** One line: each step's summed seconds. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("time per step (summed over chunks and threads):");
        for (Step s : Step.values()) {
            out.append(String.format(Locale.ROOT, " %s %.2f s;", s.text, seconds(s)));
        }
        out.setLength(out.length() - 1);
        return out.toString();
    }
}
