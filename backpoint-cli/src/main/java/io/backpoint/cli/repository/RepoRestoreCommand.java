package io.backpoint.cli.repository;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpoint.api.Domain;
import io.backpoint.cli.shell.*;
import io.backpoint.repo.Repository;
import io.backpoint.repo.Restore;
import io.backpoint.repo.Snapshot;
import io.backpoint.repo.SnapshotJson;
import java.nio.file.Path;
import java.util.List;

/**
 * restore --repo: one disk of a snapshot to a file, or a whole VM to a directory. Reached
 * through {@link RestoreCommand}, which tells its two forms apart by --repo.
 */
public final class RepoRestoreCommand {
    private RepoRestoreCommand() {
    }

    public static List<OptionDef> options() {
        return List.of(
                new OptionDef("repo", OptionDef.Kind.STRING, false, false, "restore from this repository"),
                OptionDef.named("disk", "with --repo: the disk to restore (target name, e.g. vda)"),
                OptionDef.named("output-dir", "with --repo: restore the whole VM into this directory"),
                OptionDef.named("define", "with --output-dir: define the restored VM under this name"),
                OptionDef.bool("json", "with --repo: print one JSON document on standard output"));
    }

    public static boolean run(Shell shell, ParsedArgs args) throws UsageException {
        List<String> words = args.all("backup");
        if (words.size() != 1) {
            throw new UsageException("restore --repo takes one SNAPSHOT (an id, latest or DOMAIN:latest)");
        }
        boolean wholeVm = args.has("output-dir");
        if (wholeVm == args.has("output") || wholeVm == args.has("disk")) {
            throw new UsageException("restore --repo needs either --disk NAME --output FILE, or --output-dir DIR");
        }
        if (args.has("define") && !wholeVm) {
            throw new UsageException("Option --output-dir is required by option --define");
        }
        String format = args.has("format") ? args.get("format") : "raw";
        ObjectNode json = SnapshotJson.object();
        try (Repository repository = RepoOptions.open(shell, args)) {
            Snapshot snapshot = repository.snapshot(words.get(0));
            json.put("snapshot", snapshot.id());
            json.put("domain", snapshot.domain());
            Restore restore = new Restore(repository);
            List<Restore.RestoredDisk> disks;
            if (wholeVm) {
                String name = args.get("define");
                Restore.RestoredVm vm = restore.vm(snapshot, shell.path(args.get("output-dir")), name, format);
                disks = vm.disks();
                for (String dropped : vm.droppedDisks()) {
                    shell.err().println("warning: disk '" + dropped + "' was not in the snapshot; it is left out of "
                            + vm.xmlPath());
                }
                json.put("name", vm.name());
                json.put("uuid", vm.uuid());
                json.put("xml", vm.xmlPath().toString());
                boolean defined = false;
                if (name != null) {
                    Domain domain = shell.connection().defineDomain(vm.xml());
                    defined = true;
                    if (!args.has("json")) {
                        shell.out().println("Domain '" + domain.name() + "' defined from " + vm.xmlPath());
                    }
                }
                json.put("defined", defined);
                if (!args.has("json")) {
                    shell.out().println("Restored VM '" + vm.name() + "' of snapshot " + snapshot.id() + ": " + vm.xmlPath());
                }
            } else {
                Path output = shell.path(args.get("output"));
                disks = List.of(restore.disk(snapshot, args.get("disk"), output, format));
            }
            ArrayNode array = json.putArray("disks");
            for (Restore.RestoredDisk disk : disks) {
                ObjectNode d = array.addObject();
                d.put("name", disk.name());
                d.put("path", disk.path().toString());
                d.put("format", disk.format());
                d.put("size", disk.size());
                if (!args.has("json")) {
                    shell.out().println("Restored disk " + disk.name() + " of snapshot " + snapshot.id() + " to "
                            + disk.path() + " (" + disk.format() + ", " + RepoOptions.human(disk.size()) + ")");
                }
            }
        }
        if (args.has("json")) {
            shell.out().println(SnapshotJson.print(json));
        }
        return true;
    }
}
