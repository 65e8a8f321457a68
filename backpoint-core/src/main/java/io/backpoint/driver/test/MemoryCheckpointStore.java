package io.backpoint.driver.test;

import io.backpoint.driver.CheckpointStore;
import io.backpoint.model.CheckpointDef;
import java.util.List;

/**
 * No persistence: the tree held by the caller is the only copy (libvirt's test driver keeps its
 * checkpoints in memory, fresh per connection).
 */
public final class MemoryCheckpointStore implements CheckpointStore {
    @Override
    public Loaded load() {
        return new Loaded(List.of(), List.of());
    }

    @Override
    public void save(CheckpointDef def) {}

    @Override
    public void delete(String name) {}

    @Override
    public long generation() {
        return 0;
    }
}
