package io.backpoint.driver;

import io.backpoint.model.CheckpointDef;
import java.util.List;

/** Where a domain's checkpoint definitions are kept. Callers hold the domain's lock. */
public interface CheckpointStore {
    /** What a load found: the definitions, and files that could not be read (never dropped). */
    record Loaded(List<CheckpointDef> defs, List<String> problems) {
        public Loaded {
            defs = List.copyOf(defs);
            problems = List.copyOf(problems);
        }
    }

    Loaded load();

    /** Writes one definition atomically: afterwards it is the old or the new version, never a mix. */
    void save(CheckpointDef def);

    void delete(String name);

    /**
     * Throws unless a definition of this name could be saved (a damaged file of that name is
     * never replaced); called before anything is created, so nothing has to be undone.
     * Returns the name.
     */
    default String checkWritable(String name) {
        return name;
    }

    /**
     * The intent a create or delete stored before touching bitmaps and has not removed (a
     * process killed in between), or null. A store without persistence has none.
     */
    default String intent() {
        return null;
    }

    /** Stores the intent durably before the bitmaps are touched. */
    default void saveIntent(String intent) {}

    /** Removes the intent once the operation's metadata is written. */
    default void clearIntent() {}

    /**
     * A value that changes whenever the stored set changes, so a cached tree can be reused
     * while nobody else wrote. A store that only this process writes may return a constant.
     */
    long generation();
}
