package io.backpoint.image.restore;

import static io.backpoint.testing.Errors.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.error.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record writer both drivers use for their push targets. */
class PushRecordsTest {
    @TempDir
    Path dir;

    private PushTarget target(String since, ImageFormat format) {
        return new PushTarget("vda", dir.resolve("vda.bak"), format, 1 << 20, since, "/images/vda.qcow2");
    }

    private String[] names() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @Test
    void aFullRecordHasNoBackingFileAndItsTimeInSeconds() {
        BackupRecord r = PushRecords.of("vm1", "c1", 1_700_000_000_999L, target(null, ImageFormat.QCOW2));
        assertThat(r).isEqualTo(BackupRecord.full("vm1", "vda", "c1", 1 << 20, ImageFormat.QCOW2, 1_700_000_000L));
        // A clock at the epoch still gives a valid (positive) creation time.
        assertThat(PushRecords.of("vm1", null, 0, target(null, ImageFormat.RAW)).created()).isEqualTo(1);
    }

    @Test
    void onlyAQcow2IncrementalNamesTheLiveDiskAsItsBackingFile() {
        BackupRecord qcow2 = PushRecords.of("vm1", "c2", 5000, target("c1", ImageFormat.QCOW2));
        assertThat(qcow2).isEqualTo(BackupRecord.incremental("vm1", "vda", "c2", "c1", 1 << 20, ImageFormat.QCOW2,
                5, "/images/vda.qcow2"));
        assertThat(PushRecords.of("vm1", "c2", 5000, target("c1", ImageFormat.RAW)).backingFile()).isNull();
    }

    @Test
    void aRecordNeverReplacesAFileItDidNotWrite() throws Exception {
        Path existing = Files.writeString(dir.resolve("vda.bak.json"), "precious");
        BackupRecord r = PushRecords.of("vm1", "c1", 5000, target(null, ImageFormat.QCOW2));
        assertError(() -> PushRecords.put(dir.resolve("vda.bak"), r, false), ErrorCode.OPERATION_INVALID,
                existing.toString(), "exists");
        assertThat(Files.readString(existing)).isEqualTo("precious");
        assertThat(names()).containsExactly("vda.bak.json");
    }

    @Test
    void aReusedTargetsRecordIsReplacedAndTheSameRecordIsKept() throws Exception {
        Path path = dir.resolve("vda.bak");
        PushRecords.put(path, PushRecords.of("vm1", "old", 5000, target(null, ImageFormat.QCOW2)), false);
        BackupRecord r = PushRecords.of("vm1", "c1", 6000, target(null, ImageFormat.QCOW2));
        PushRecords.put(path, r, true);
        assertThat(BackupRecord.read(path)).contains(r);
        // Written again by a call killed before it could say so: kept, and its temporary file removed.
        Files.writeString(dir.resolve(".vda.bak.json.123456789.tmp"), "{");
        PushRecords.put(path, r, false);
        assertThat(BackupRecord.read(path)).contains(r);
        assertThat(names()).containsExactly("vda.bak.json");
    }

    @Test
    void aTakenRecordNameIsRefusedUnlessAReusedTargetsRecord() throws Exception {
        Path path = dir.resolve("vda.bak");
        PushRecords.checkFree(path, "vda", false);
        PushRecords.put(path, PushRecords.of("vm1", "c1", 5000, target(null, ImageFormat.QCOW2)), false);
        assertError(() -> PushRecords.checkFree(path, "vda", false), ErrorCode.INVALID_ARG,
                "backup record '" + dir.resolve("vda.bak.json") + "' for store '" + path + "' of disk 'vda' exists");
        PushRecords.checkFree(path, "vda", true);
        Files.writeString(dir.resolve("vda.bak.json"), "precious");
        assertError(() -> PushRecords.checkFree(path, "vda", true), ErrorCode.INVALID_ARG,
                "file '" + dir.resolve("vda.bak.json") + "' beside store '" + path + "' of disk 'vda' is not a backup record");
    }
}
