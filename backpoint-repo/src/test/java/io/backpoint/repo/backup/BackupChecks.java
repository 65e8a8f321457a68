package io.backpoint.repo.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.api.JobInfo;
import io.backpoint.api.JobType;
import io.backpoint.repo.DiskIndex;
import io.backpoint.repo.IndexRestore;
import io.backpoint.repo.Repository;
import io.backpoint.repo.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What every repository backup test checks after a backup: the data, and that nothing is left behind. */
final class BackupChecks {
    private BackupChecks() {
    }

    /** Each disk of the snapshot, read back from its index, equals the model of the disk now. */
    static void matchesModel(Repository repo, Snapshot s, BackupVm vm) throws Exception {
        assertThat(s.disks()).extracting(DiskIndex::name).containsExactlyInAnyOrderElementsOf(vm.disks());
        for (DiskIndex d : s.disks()) {
            assertThat(IndexRestore.sha256(repo, d)).as("snapshot %s disk %s", s.id(), d.name())
                    .isEqualTo(vm.sha256(d.name()));
        }
    }

    /** No job, no temporary bitmap, no scratch file, socket or work directory. */
    static void nothingLeft(BackupVm vm, Path tmp) throws Exception {
        JobInfo job = vm.domain().jobInfo(false);
        assertThat(job.type() == JobType.NONE || job.ended()).as("job %s", job).isTrue();
        String nodes = vm.domain().monitorCommand("{\"execute\":\"query-named-block-nodes\"}", false);
        assertThat(nodes).as("temporary bitmaps").doesNotContain("\"backup-");
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(WorkDir.PREFIX)))
                    .as("work directories").isEmpty();
        }
        List<String> scratch = new ArrayList<>();
        for (String d : vm.disks()) {
            Path dir = vm.image(d).getParent();
            try (Stream<Path> files = Files.list(dir)) {
                files.map(Path::toString).filter(n -> n.contains("scratch")).forEach(scratch::add);
            }
        }
        assertThat(scratch).as("scratch files").isEmpty();
    }
}
