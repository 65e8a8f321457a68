package io.backpoint.cli.repository;

import io.backpoint.cli.shell.*;
import io.backpoint.repo.Repository;
import io.backpoint.repo.Snapshot;
import java.util.List;

/** ls and cat: files of a snapshot's disk (ext2/3/4) without restoring it. */
final class FileCommand implements Command {
    private final boolean cat;

    private FileCommand(boolean cat) {
        this.cat = cat;
    }

    static FileCommand ls() {
        return new FileCommand(false);
    }

    static FileCommand cat() {
        return new FileCommand(true);
    }

    @Override
    public String name() {
        return cat ? "cat" : "ls";
    }

    @Override
    public String summary() {
        return cat ? "print a file of a snapshot's disk" : "list a directory of a snapshot's disk";
    }

    @Override
    public String description() {
        return (cat ? "Prints file PATH" : "Lists directory PATH (default /), as debugfs's ls -l,")
                + " of the ext2/3/4 file system on disk NAME of SNAPSHOT, without restoring the disk: the snapshot "
                + "is served on a private socket, made a file by nbdfuse and read by debugfs (README, \"Files from a "
                + "snapshot\"). The file system is the whole disk, else the first ext partition of its MBR or GPT, or "
                + "--partition N. Needs nbdfuse, debugfs and /dev/fuse (fusermount3 when not root).";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(RepoOptions.repo(),
                OptionDef.data("snapshot", "the snapshot: an id, latest or DOMAIN:latest"),
                new OptionDef("disk", OptionDef.Kind.STRING, true, false, "the disk (target name, e.g. vda)"),
                cat ? OptionDef.data("path", "the file") : OptionDef.string("path", "the directory (default /)"),
                OptionDef.integer("partition", "the partition holding the file system (1 for vda1)"));
    }

    @Override
    public boolean rawOutput() {
        return cat;
    }

    @Override
    public boolean needsConnection() {
        return false;
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        String path = args.has("path") ? args.get("path") : "/";
        String request = (cat ? "cat " : "ls -l ") + SnapshotFiles.quoted(path);
        Integer partition = args.has("partition") ? Integer.valueOf(args.get("partition")) : null;
        try (Repository repository = RepoOptions.open(shell, args)) {
            Snapshot snapshot = repository.snapshot(args.get("snapshot"));
            try (SnapshotFiles files = SnapshotFiles.open(repository, snapshot, args.get("disk"), partition,
                    line -> shell.err().println(line))) {
                files.debugfs(request, shell.out());
            }
        }
        return true;
    }
}
