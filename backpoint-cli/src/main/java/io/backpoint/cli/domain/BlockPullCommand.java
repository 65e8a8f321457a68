package io.backpoint.cli.domain;

import io.backpoint.cli.recover.PullProgress;
import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.InterruptHandler;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import io.backpoint.error.BackpointException;
import io.backpoint.vocab.BlockJobInfo;
import io.backpoint.vocab.BlockPullFlag;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** blockpull: fills a disk's top image from its backing chain, as virsh's. */
public final class BlockPullCommand implements Command {
    private static final long POLL_MILLIS = 500;

    @Override
    public String name() {
        return "blockpull";
    }

    @Override
    public String summary() {
        return "Populate a disk from its backing image.";
    }

    @Override
    public String description() {
        return "Populate a disk from its backing image chain, then drop the chain; --wait waits for the end "
                + "(--verbose shows progress). --base is not supported yet.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(
                OptionDef.data("domain", "domain name, id or uuid"),
                OptionDef.data("path", "fully-qualified path of disk"),
                OptionDef.integer("bandwidth", "bandwidth limit in MiB/s"),
                OptionDef.named("base", "path of backing file in chain for a partial pull"),
                OptionDef.bool("wait", "wait for job to finish"),
                OptionDef.bool("verbose", "with --wait, display the progress"),
                OptionDef.bool("async", "with --wait, don't wait for cancel to finish"),
                OptionDef.bool("bytes", "the bandwidth is in bytes rather than MiB/s"));
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws InterruptedException {
        if (args.has("base")) {
            throw new Shell.CommandFailure("this function is not supported by the connection driver: blockpull --base");
        }
        if (args.has("verbose") && !args.has("wait")) {
            throw new Shell.CommandFailure("command 'blockpull' requires --wait option for --verbose");
        }
        var dom = shell.domain(args.get("domain"));
        String path = args.get("path");
        long bandwidth = args.has("bandwidth") ? Long.parseLong(args.get("bandwidth")) : 0;
        dom.blockPull(path, bandwidth, args.has("bytes") ? BlockPullFlag.BANDWIDTH_BYTES.bit() : 0);
        if (!args.has("wait")) {
            // virsh's lines here end with the shell's line after each command.
            shell.out().print("Block Pull started");
            return true;
        }
        PullProgress progress = new PullProgress(shell.err(), true);
        CountDownLatch interrupted = new CountDownLatch(1);
        try (InterruptHandler handler = InterruptHandler.install(interrupted::countDown)) {
            while (true) {
                Optional<BlockJobInfo> info;
                try {
                    info = dom.blockJobInfo(path);
                } catch (BackpointException e) {
                    shell.out().print("\nPull failed");
                    shell.err().println("error: " + e.getMessage());
                    return false;
                }
                if (info.isEmpty()) {
                    break;
                }
                if (args.has("verbose")) {
                    progress.update(info.get().cur(), info.get().end());
                }
                if (interrupted.await(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    throw new Shell.CommandFailure("blockpull --wait interrupted; the pull goes on (abort is not supported yet)");
                }
            }
        }
        if (args.has("verbose")) {
            progress.update(1, 1);
        }
        shell.out().print("\nPull complete");
        return true;
    }
}
