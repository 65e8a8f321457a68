package io.backpoint.cli.repository;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.cli.shell.*;
import io.backpoint.repo.GarbageCollector;
import io.backpoint.repo.Repository;
import io.backpoint.repo.SnapshotJson;
import java.util.List;

/** gc: deletes the chunks no snapshot references. */
final class GcCommand implements Command {
    @Override
    public String name() {
        return "gc";
    }

    @Override
    public String summary() {
        return "delete the chunks no snapshot references";
    }

    @Override
    public String description() {
        return "Deletes every chunk no snapshot of the repository references, and what killed backups "
                + "left behind, and reports the bytes freed. Backups wait while gc runs; gc waits up to 30 "
                + "seconds for running backups, then gives up with an error.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(RepoOptions.repo(), RepoOptions.json());
    }

    @Override
    public boolean needsConnection() {
        return false;
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) {
        GarbageCollector.Report report;
        try (Repository repository = RepoOptions.open(shell, args)) {
            report = new GarbageCollector(repository).run();
        }
        if (args.has("json")) {
            ObjectNode node = SnapshotJson.object();
            node.put("chunksDeleted", report.chunksDeleted());
            node.put("bytesFreed", report.bytesFreed());
            node.put("chunksKept", report.chunksKept());
            node.put("leftoversRemoved", report.leftoversRemoved());
            node.put("expiredLeasesRemoved", report.expiredLeasesRemoved());
            shell.out().println(SnapshotJson.print(node));
        } else {
            shell.out().println("Deleted " + report.chunksDeleted() + " chunks, freed "
                    + RepoOptions.human(report.bytesFreed()) + " (" + report.bytesFreed() + " bytes); "
                    + report.chunksKept() + " chunks in use");
        }
        return true;
    }
}
