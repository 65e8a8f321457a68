package io.backpoint.cli.demo;

import io.backpoint.api.Domain;
import io.backpoint.repo.Compression;
import io.backpoint.repo.DiskIndex;
import io.backpoint.repo.DiskMode;
import io.backpoint.repo.GarbageCollector;
import io.backpoint.repo.Prune;
import io.backpoint.repo.PrunePolicy;
import io.backpoint.repo.Repository;
import io.backpoint.repo.RepositoryConfig;
import io.backpoint.repo.Restore;
import io.backpoint.repo.Snapshot;
import io.backpoint.repo.Verify;
import io.backpoint.repo.backup.BackupEngine;
import io.backpoint.repo.backup.BackupListener;
import io.backpoint.repo.backup.BackupOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * The demo's repository chapter, on the same running VM: repo-init, a backup (full: the
 * repository has no snapshot yet), guest writes, a backup (incremental: only the changed chunks
 * read), a restore of the whole VM (every disk equal to the model, the XML defined under a new
 * name), verify, prune to the newest snapshot, and gc freeing what only the pruned one used.
 */
final class RepositoryChapter {
    private static final long MIB = 1 << 20;

    private final DemoStory story;
    private final Domain dom;
    private final Path dir;
    private final List<String> disks;

    RepositoryChapter(DemoStory story, Domain dom, Path dir, List<String> disks) {
        this.story = story;
        this.dom = dom;
        this.dir = dir;
        this.disks = disks;
    }

    void run() throws Exception {
        Path location = dir.resolve("repo");
        try (Repository repo = Repository.init(location.toString(), RepositoryConfig.DEFAULT_CHUNK_SIZE,
                Compression.ZSTD)) {
            story.step("repo-init " + location + ": 4 MiB chunks, zstd, checkpoints named "
                    + repo.config().checkpointPrefix() + "*");
            BackupEngine engine = new BackupEngine(dom.connection(), repo, Clock.systemUTC(), dir);
            Snapshot first = backup(engine);
            story.check(first.disks().stream().allMatch(d -> d.mode() == DiskMode.FULL),
                    "first backup is full (no previous snapshot)", "first backup was not full");

            // Over data the first snapshot holds, so some of its chunks are then used by it alone.
            story.write("vda", 0, 2 * MIB, 0xa1);
            story.write("vdb", 16 * MIB, 1 * MIB, 0xb2);
            story.step("guest wrote 2 MiB over old data on vda and 1 MiB on vdb");
            Map<String, String> expected = story.snapshot();
            Snapshot second = backup(engine);
            DiskIndex vda = second.disk("vda").orElseThrow();
            story.check(second.disks().stream().allMatch(d -> d.mode() == DiskMode.INCREMENTAL)
                            && vda.bytesRead() <= 2 * RepositoryConfig.DEFAULT_CHUNK_SIZE,
                    "second backup is incremental: read " + DemoStory.mib(vda.bytesRead()) + " of vda's "
                            + DemoStory.mib(vda.size()) + " (the chunks the dirty bitmap marks)",
                    "second backup was not a small incremental: " + second.disks());

            long t = System.nanoTime();
            String restoredName = dom.name() + "-restored";
            Restore.RestoredVm vm = new Restore(repo).vm(second, dir.resolve("restored-vm"), restoredName, "raw");
            boolean same = true;
            for (Restore.RestoredDisk d : vm.disks()) {
                same &= DemoStory.sha256(d.path()).equals(expected.get(d.name()));
            }
            story.check(same && vm.disks().size() == disks.size(),
                    String.format("whole-VM restore of the newest snapshot (%.2fs): every disk byte-identical", DemoStory.secs(t)),
                    "whole-VM restore differs from the disks at the second backup");
            Domain restored = dom.connection().defineDomain(vm.xml());
            story.check(restored.name().equals(restoredName), "restored VM defined as '" + restoredName + "' on its new disks",
                    "restored VM could not be defined");
            restored.undefine(false);

            Verify.Report report = new Verify(repo).run(List.of());
            story.check(report.ok(), "verify: " + report.chunks() + " chunks of " + report.snapshots()
                    + " snapshots re-read and re-hashed", "verify found damage: " + report);
            var decisions = new Prune(repo).run(dom.name(), new PrunePolicy(1, 0, 0, 0), false, ZoneOffset.UTC);
            long removed = decisions.stream().filter(d -> !d.keep()).count();
            GarbageCollector.Report gc = new GarbageCollector(repo).run();
            story.check(removed == 1 && gc.chunksDeleted() > 0 && new Verify(repo).run(List.of()).ok(),
                    "prune --keep-last 1 removed the first snapshot; gc freed " + DemoStory.mib(gc.bytesFreed())
                            + " only it used; the newest still verifies",
                    "prune/gc: removed " + removed + ", gc " + gc);
            for (Restore.RestoredDisk d : vm.disks()) {
                Files.deleteIfExists(d.path());
            }
        }
    }

    private Snapshot backup(BackupEngine engine) {
        long t = System.nanoTime();
        Snapshot s = engine.backup(new BackupOptions(dom.name(), List.of(), false), BackupListener.NONE);
        StringBuilder sb = new StringBuilder();
        for (DiskIndex d : s.disks()) {
            sb.append(String.format("; %s %s read %s stored %s", d.name(), d.mode().json(), DemoStory.mib(d.bytesRead()),
                    DemoStory.mib(d.bytesStored())));
        }
        story.step(String.format("backup --repo: snapshot %s in %.2fs%s", s.id(), DemoStory.secs(t), sb));
        return s;
    }
}
