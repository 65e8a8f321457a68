package io.backpoint.cli.repository;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.cli.shell.*;
import io.backpoint.repo.Prune;
import io.backpoint.repo.PrunePolicy;
import io.backpoint.repo.Repository;
import io.backpoint.repo.SnapshotJson;
import java.time.ZoneId;
import java.util.List;

/** prune: deletes the snapshots of a domain that the retention policy does not keep (manifests only). */
final class PruneCommand implements Command {
    @Override
    public String name() {
        return "prune";
    }

    @Override
    public String summary() {
        return "delete the snapshots a retention policy does not keep";
    }

    @Override
    public String description() {
        return "Keeps, of DOMAIN's snapshots, the newest --keep-last N, and the newest of each of the last N "
                + "days, ISO weeks and months (local time) that have snapshots; deletes the other snapshots' "
                + "manifests. Chunks are freed by gc. --dry-run only prints what would happen.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(RepoOptions.repo(), OptionDef.data("domain", "the domain whose snapshots to prune"),
                new OptionDef("keep-last", OptionDef.Kind.INT, true, false, "keep the newest N snapshots"),
                OptionDef.integer("keep-daily", "keep the newest snapshot of each of the last N days"),
                OptionDef.integer("keep-weekly", "keep the newest snapshot of each of the last N weeks"),
                OptionDef.integer("keep-monthly", "keep the newest snapshot of each of the last N months"),
                OptionDef.bool("dry-run", "only print what would be deleted"), RepoOptions.json());
    }

    @Override
    public boolean needsConnection() {
        return false;
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) {
        PrunePolicy policy = new PrunePolicy(count(args, "keep-last"), count(args, "keep-daily"),
                count(args, "keep-weekly"), count(args, "keep-monthly"));
        boolean dryRun = args.has("dry-run");
        List<PrunePolicy.Decision> decisions;
        try (Repository repository = RepoOptions.open(shell, args)) {
            decisions = new Prune(repository).run(args.get("domain"), policy, dryRun, ZoneId.systemDefault());
        }
        if (args.has("json")) {
            ObjectNode node = SnapshotJson.object();
            node.put("domain", args.get("domain"));
            node.put("dryRun", dryRun);
            ArrayNode kept = node.putArray("kept");
            ArrayNode removed = node.putArray("removed");
            for (PrunePolicy.Decision d : decisions) {
                ObjectNode n = (d.keep() ? kept : removed).addObject();
                n.put("id", d.id());
                n.put("time", d.time().toString());
                if (d.keep()) {
                    d.keptBy().forEach(n.putArray("keptBy")::add);
                }
            }
            shell.out().println(SnapshotJson.print(node));
        } else {
            for (PrunePolicy.Decision d : decisions) {
                shell.out().println((d.keep() ? "keep    " : dryRun ? "would remove " : "removed ") + d.id() + "  "
                        + d.time() + (d.keep() ? "  (" + String.join(", ", d.keptBy()) + ")" : ""));
            }
        }
        return true;
    }

    private static int count(ParsedArgs args, String option) {
        return args.has(option) ? Integer.parseInt(args.get(option)) : 0;
    }
}
