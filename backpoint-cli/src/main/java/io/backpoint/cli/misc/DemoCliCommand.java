package io.backpoint.cli.misc;

import io.backpoint.cli.demo.DemoCommand;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import java.nio.file.Path;
import java.util.List;

/** demo: runs the whole backup story on real QEMU in a fresh directory, checking every step. */
public final class DemoCliCommand implements Command {
    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "run the checkpoint, backup and restore story on real QEMU";
    }

    @Override
    public String description() {
        return "Defines a VM with two qcow2 disks under qemu:///embed in a fresh directory (or, with --uri, on libvirtd: "
                + "a domain 'backpoint-demo', undefined afterwards), writes to it, takes a full "
                + "and an incremental push backup and a pull-mode incremental over NBD, restores every point and proves "
                + "each restore byte-identical. Exits 0 only if every check held.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.named("dir", "directory to work in (kept afterwards); default: a temporary one"),
                OptionDef.named("uri", "run it on libvirtd at this URI (qemu:///system) instead of the daemonless driver"),
                OptionDef.bool("keep", "keep the temporary directory"),
                OptionDef.bool("guest", "the same story on a real Linux guest (built by guest/build-guest.sh) with "
                        + "quiesced and crash-consistent backups, checked at the file level"));
    }

    @Override
    public boolean needsConnection() {
        return false;
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) {
        String dir = args.get("dir");
        return DemoCommand.run(dir == null ? null : shell.path(dir), args.has("keep"), args.has("guest"), args.get("uri"),
                shell.out(),
                shell.err()) == 0;
    }
}
