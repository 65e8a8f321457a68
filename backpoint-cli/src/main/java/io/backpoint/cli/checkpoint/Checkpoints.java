package io.backpoint.cli.checkpoint;

import io.backpoint.api.Checkpoint;
import io.backpoint.api.Domain;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.UsageException;

/** The checkpoint a command names with --checkpointname. */
final class Checkpoints {
    private Checkpoints() {}

    static Checkpoint lookup(Domain dom, ParsedArgs args) throws UsageException {
        String name = args.get("checkpointname");
        if (name == null) {
            throw new UsageException("--checkpointname is required");
        }
        return dom.checkpoint(name);
    }
}
