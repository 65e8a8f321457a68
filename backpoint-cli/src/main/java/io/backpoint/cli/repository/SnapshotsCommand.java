package io.backpoint.cli.repository;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.backpoint.cli.shell.*;
import io.backpoint.repo.DiskIndex;
import io.backpoint.repo.Repository;
import io.backpoint.repo.Snapshot;
import io.backpoint.repo.SnapshotJson;
import java.util.List;

/** snapshots: lists a repository's snapshots, oldest first. */
final class SnapshotsCommand implements Command {
    @Override
    public String name() {
        return "snapshots";
    }

    @Override
    public String summary() {
        return "list the snapshots in a backup repository";
    }

    @Override
    public String description() {
        return "Lists the snapshots of DOMAIN (every domain when omitted), oldest first: id, domain, time, "
                + "and per disk its virtual size, the bytes read from the VM, the bytes newly stored, and "
                + "whether it was full (with the reason) or incremental.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(RepoOptions.repo(), OptionDef.string("domain", "only this domain's snapshots"),
                RepoOptions.json());
    }

    @Override
    public boolean needsConnection() {
        return false;
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) {
        try (Repository repository = RepoOptions.open(shell, args)) {
            List<Snapshot> snapshots = repository.snapshots(args.get("domain"));
            if (args.has("json")) {
                ArrayNode array = SnapshotJson.array();
                snapshots.forEach(s -> array.add(SnapshotJson.toJson(s)));
                shell.out().println(SnapshotJson.print(array));
                return true;
            }
            for (Snapshot s : snapshots) {
                shell.out().println(s.id() + "  " + s.domain() + "  " + s.time());
                for (DiskIndex d : s.disks()) {
                    shell.out().println("  " + d.name() + "  size " + RepoOptions.human(d.size()) + "  read "
                            + RepoOptions.human(d.bytesRead()) + "  stored " + RepoOptions.human(d.bytesStored()) + "  "
                            + d.mode().json() + (d.reason() == null ? "" : " (" + d.reason() + ")"));
                }
            }
            if (snapshots.isEmpty()) {
                shell.out().println("no snapshots");
            }
            return true;
        }
    }
}
