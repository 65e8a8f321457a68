package io.backpoint.repo.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.nbd.QemuNbdServer;
import io.backpoint.image.restore.BackupRecord;
import io.backpoint.image.restore.ImageFormat;
import io.backpoint.testing.Tools;
import io.backpoint.util.OwnerOnly;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pull copy against a real export: qemu-nbd serving a qcow2 with a persistent dirty bitmap
 * that qemu-io's writes set, as QEMU's pull export serves the backup's temporary bitmap.
 */
class PullCopyTest {
    private static final long MIB = 1 << 20;
    private static final long SIZE = 4 * MIB;

    @TempDir
    Path dir;
    private Path live;

    @BeforeEach
    void disk() throws Exception {
        Tools.assumeOnPath("qemu-img", "qemu-io", "qemu-nbd");
        live = dir.resolve("live.qcow2");
        Tools.run("qemu-img", "create", "-q", "-f", "qcow2", live.toString(), Long.toString(SIZE));
        // Written before the bitmap exists: not dirty, so not copied.
        Tools.run("qemu-io", "-f", "qcow2", "-c", "write -P 0x11 0 1M", live.toString());
        Tools.run("qemu-img", "bitmap", "--add", "-f", "qcow2", live.toString(), "b0");
        Tools.run("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 1M 64k", "-c", "write -P 0xcd 3M 128k", live.toString());
    }

    private static BackupRecord incremental(Path backing) {
        return BackupRecord.incremental("vm", "vda", "c2", "c1", SIZE, ImageFormat.QCOW2, 1_700_000_000L,
                backing.toString());
    }

    @Test
    void anIncrementalHoldsExactlyTheDirtyExtentsAndReadsAsTheDiskOverItsBacking() throws Exception {
        Path target = dir.resolve("vda.inc.qcow2");
        PullCopy.Result r;
        try (QemuNbdServer export = QemuNbdServer.builder(live).format("qcow2").readOnly(true).bitmap("b0").start()) {
            r = new PullCopy().copy(export.socket(), export.exportName(), "b0", target, incremental(live));
        }
        assertThat(r.listedBytes()).isEqualTo(192 << 10);
        assertThat(ownData(target)).containsExactly(List.of(MIB, 64L << 10), List.of(3 * MIB, 128L << 10));
        assertThat(Tools.status("qemu-img", "compare", "-f", "qcow2", "-F", "qcow2", target.toString(), live.toString()))
                .isZero();
        assertThat(BackupRecord.read(target)).hasValueSatisfying(rec -> {
            assertThat(rec.incremental()).isEqualTo("c1");
            assertThat(rec.backingFile()).isEqualTo(live.toString());
        });
        assertThat(Files.getPosixFilePermissions(target)).isEqualTo(OwnerOnly.FILE);
    }

    @Test
    void aFullCopyNeedsNoBitmapAndNamesNoBackingFile() throws Exception {
        Path target = dir.resolve("vda.full.qcow2");
        try (QemuNbdServer export = QemuNbdServer.builder(live).format("qcow2").readOnly(true).start()) {
            new PullCopy().copy(export.socket(), export.exportName(), null, target,
                    BackupRecord.full("vm", "vda", "c1", SIZE, ImageFormat.QCOW2, 1_700_000_000L));
        }
        assertThat(Tools.status("qemu-img", "compare", "-f", "qcow2", "-F", "qcow2", target.toString(), live.toString()))
                .isZero();
        assertThat(Tools.run("qemu-img", "info", "--output=json", target.toString())).doesNotContain("backing-filename");
    }

    @Test
    void anExistingTargetIsRefusedAndLeftAsItWas() throws Exception {
        Path target = Files.writeString(dir.resolve("taken.qcow2"), "someone's file");
        try (QemuNbdServer export = QemuNbdServer.builder(live).format("qcow2").readOnly(true).bitmap("b0").start()) {
            assertThatThrownBy(() -> new PullCopy().copy(export.socket(), export.exportName(), "b0", target,
                    incremental(live)))
                    .isInstanceOfSatisfying(BackpointException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID));
        }
        assertThat(Files.readString(target)).isEqualTo("someone's file");
        assertThat(BackupRecord.pathFor(target)).doesNotExist();
    }

    @Test
    void aCopyThatFailsRemovesTheFileItCreatedAndWritesNoRecord() throws Exception {
        Path target = dir.resolve("vda.inc.qcow2");
        try (QemuNbdServer export = QemuNbdServer.builder(live).format("qcow2").readOnly(true).bitmap("b0").start()) {
            assertThatThrownBy(() -> new PullCopy().copy(export.socket(), "no-such-export", "b0", target,
                    incremental(live)))
                    .isInstanceOfSatisfying(BackpointException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED);
                        assertThat(e.detail()).startsWith("cannot copy export 'no-such-export' to '" + target + "'");
                    });
        }
        assertThat(target).doesNotExist();
        assertThat(BackupRecord.pathFor(target)).doesNotExist();
    }

    /** The extents the image holds itself (not its backing file): [offset, length] pairs. */
    private static List<List<Long>> ownData(Path image) throws Exception {
        JsonNode map = new ObjectMapper().readTree(Tools.run("qemu-img", "map", "--output=json", "-f", "qcow2",
                image.toString()));
        List<List<Long>> out = new ArrayList<>();
        for (JsonNode e : map) {
            if (e.path("depth").asInt() == 0 && e.path("data").asBoolean()) {
                out.add(List.of(e.path("start").asLong(), e.path("length").asLong()));
            }
        }
        return out;
    }
}
