package io.backpoint.cli.repository;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.cli.shell.*;
import io.backpoint.repo.Repository;
import io.backpoint.repo.SnapshotJson;
import io.backpoint.repo.Verify;
import java.util.List;

/** verify: re-reads and re-hashes every chunk the snapshots reference. */
final class VerifyCommand implements Command {
    @Override
    public String name() {
        return "verify";
    }

    @Override
    public String summary() {
        return "check every chunk of a repository's snapshots";
    }

    @Override
    public String description() {
        return "Re-reads and re-hashes every chunk the given snapshots reference (all snapshots when none "
                + "is given), names each damaged or missing chunk and every snapshot it breaks, and every "
                + "manifest that cannot be read. Exits non-zero on any damage.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(RepoOptions.repo(), RepoOptions.json(),
                OptionDef.argv("snapshot", "snapshots to verify: ids, latest or DOMAIN:latest"));
    }

    @Override
    public boolean needsConnection() {
        return false;
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) {
        Verify.Report report;
        try (Repository repository = RepoOptions.open(shell, args)) {
            report = new Verify(repository).run(args.all("snapshot"));
        }
        if (args.has("json")) {
            ObjectNode node = SnapshotJson.object();
            node.put("ok", report.ok());
            node.put("snapshots", report.snapshots());
            node.put("chunks", report.chunks());
            node.put("storedBytes", report.storedBytes());
            ArrayNode chunks = node.putArray("damagedChunks");
            for (Verify.DamagedChunk c : report.damagedChunks()) {
                ObjectNode n = chunks.addObject();
                n.put("id", c.id());
                n.put("problem", c.problem());
                c.snapshots().forEach(n.putArray("snapshots")::add);
            }
            ArrayNode manifests = node.putArray("damagedManifests");
            for (Verify.DamagedManifest m : report.damagedManifests()) {
                ObjectNode n = manifests.addObject();
                n.put("snapshot", m.snapshot());
                n.put("domain", m.domain());
                n.put("object", m.key());
                n.put("problem", m.problem());
            }
            report.brokenSnapshots().forEach(node.putArray("brokenSnapshots")::add);
            shell.out().println(SnapshotJson.print(node));
        } else {
            for (Verify.DamagedChunk c : report.damagedChunks()) {
                shell.out().println("damaged: chunk " + c.id() + " " + c.problem() + "; breaks snapshot"
                        + (c.snapshots().size() == 1 ? " " : "s ") + String.join(", ", c.snapshots()));
            }
            for (Verify.DamagedManifest m : report.damagedManifests()) {
                shell.out().println("damaged: " + m.problem());
            }
            shell.out().println((report.ok() ? "OK" : "DAMAGED") + ": " + report.snapshots() + " snapshots, "
                    + report.chunks() + " chunks, " + RepoOptions.human(report.storedBytes()) + " checked"
                    + (report.ok() ? "" : "; broken snapshots: " + String.join(", ", report.brokenSnapshots())));
        }
        return report.ok();
    }
}
