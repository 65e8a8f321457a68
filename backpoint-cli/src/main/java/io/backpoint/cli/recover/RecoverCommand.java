package io.backpoint.cli.recover;

import io.backpoint.cli.repository.RepoOptions;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.InterruptHandler;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import io.backpoint.driver.DomainLock;
import io.backpoint.qemu.driver.FileDomainLock;
import io.backpoint.image.img.QemuImg;
import io.backpoint.util.SafeFileName;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/** recover: a new domain running at once from a served snapshot, its disks copied in the background. */
public final class RecoverCommand implements Command {
    /** Held by a recover call in its recovery directory, owner-only like the driver's domain locks. */
    static final String LOCK = "recover.lock";
    private final BooleanSupplier terminal;

    public RecoverCommand() {
        this(() -> System.console() != null);
    }

    RecoverCommand(BooleanSupplier terminal) {
        this.terminal = terminal;
    }

    @Override
    public String name() {
        return "recover";
    }

    @Override
    public String summary() {
        return "run a VM from a snapshot at once; its disks are copied in the background";
    }

    @Override
    public String description() {
        return "Serves the snapshot's disks over NBD from a detached process, creates a qcow2 overlay per disk in the "
                + "output directory backed by them, defines the domain NAME (the snapshot's saved XML with a new "
                + "uuid) and starts it, then copies each disk into its overlay in the background (a block pull). "
                + "Run it again to resume an interrupted copy; with --wait it shows the copy and stops serving "
                + "once no disk depends on the repository. The repository is only read.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                RepoOptions.repo(),
                OptionDef.data("snapshot", "the snapshot: an id, latest or DOMAIN:latest"),
                new OptionDef("as", OptionDef.Kind.STRING, true, false, "the name of the new domain"),
                OptionDef.named("output-dir", "where the overlays, the domain XML and the serve state go (default: ./NAME)"),
                OptionDef.integer("bandwidth", "limit each disk's background copy to this many MiB/s"),
                OptionDef.bool("wait", "wait until every disk is copied, showing progress, then stop serving"));
    }

    private static long bandwidth(ParsedArgs args) {
        if (!args.has("bandwidth")) {
            return 0;
        }
        long mib = Long.parseLong(args.get("bandwidth"));
        if (mib < 0) {
            throw new Shell.CommandFailure("--bandwidth must be a number of MiB/s, 0 for no limit");
        }
        return mib << 20;
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        String name = SafeFileName.require("domain", args.get("as"));
        Path dir = shell.path(args.has("output-dir") ? args.get("output-dir") : name).toAbsolutePath().normalize();
        String location = RepoOptions.location(shell, args.get("repo"));
        RecoverSetup setup = new RecoverSetup(shell.connection(), shell.err());
        RecoverState state = setup.prepare(dir, name, args.get("snapshot"), () -> RepoOptions.open(shell, args), location);
        // One call at a time drives a recovery (serve, overlays, domain, copy), for as long as it runs.
        try (DomainLock lock = FileDomainLock.acquire(dir.resolve(LOCK), "recovery lock")) {
            return recover(shell, args, dir, name, location, state);
        }
    }

    private boolean recover(Shell shell, ParsedArgs args, Path dir, String name, String location, RecoverState state)
            throws InterruptedException {
        SnapshotServer server = ServeProcess.backpoint(dir, state.repository(), state.snapshot());
        Recovery recovery = new Recovery(shell.connection(), state, RecoverSetup.xmlFile(dir, name), server,
                new Overlays(new QemuImg()), shell.out(), bandwidth(args));
        List<RecoverState.Disk> copying = recovery.advance();
        if (copying.isEmpty()) {
            shell.out().println("Recovery of '" + name + "' from snapshot " + state.snapshot()
                    + " is complete: no disk depends on the repository; serving stopped");
            return true;
        }
        String disks = copying.stream().map(RecoverState.Disk::name).collect(Collectors.joining(", "));
        shell.out().println("Domain '" + name + "' is running from snapshot " + state.snapshot() + " (overlays in " + dir
                + "); copying " + disks + " in the background (serve process: " + dir.resolve(ServeProcess.STATE) + ")");
        String connect = "-c '" + shell.connection().uri() + "' ";
        shell.out().println("Watch it: backpoint " + connect + "blockjob " + name + " " + copying.get(0).name()
                + " --info   or: backpoint " + connect + "recover --repo " + location + " " + state.snapshot() + " --as "
                + name + " --output-dir " + dir + " --wait");
        if (!args.has("wait")) {
            return true;
        }
        shell.out().flush();
        AtomicBoolean interrupted = new AtomicBoolean();
        try (InterruptHandler handler = InterruptHandler.install(() -> interrupted.set(true))) {
            if (recovery.await(new PullProgress(shell.err(), terminal.getAsBoolean()), interrupted::get)) {
                shell.out().println("Copy complete: no disk of '" + name + "' depends on the repository; serving stopped");
            } else {
                shell.out().println("Stopped waiting; the copy goes on in the background");
            }
        }
        return true;
    }
}
