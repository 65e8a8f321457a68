package io.backpoint.image.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupRecordTest {
    @TempDir
    Path dir;

    private static final BackupRecord INC = BackupRecord.incremental("vm1", "vda", "c2", "c1", 1L << 30,
            ImageFormat.QCOW2, 1_700_000_000L, "/var/lib/images/vm1.qcow2");

    @Test
    void writesBesideTheTargetAndReadsBack() throws Exception {
        Path target = dir.resolve("vda.inc.qcow2");
        BackupRecord.write(target, INC);
        assertThat(BackupRecord.pathFor(target)).isEqualTo(dir.resolve("vda.inc.qcow2.json")).exists();
        assertThat(BackupRecord.read(target)).contains(INC);
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("vda.inc.qcow2.json");
        }
    }

    @Test
    void usesTheDocumentedFieldNamesAndSpellings() {
        String json = INC.toJson();
        assertThat(json).contains("\"version\" : 1", "\"domain\" : \"vm1\"", "\"disk\" : \"vda\"",
                "\"mode\" : \"incremental\"", "\"checkpoint\" : \"c2\"", "\"incremental\" : \"c1\"",
                "\"virtualSize\" : 1073741824", "\"format\" : \"qcow2\"", "\"created\" : 1700000000",
                "\"backingFile\" : \"/var/lib/images/vm1.qcow2\"");
        BackupRecord full = BackupRecord.full("vm1", "vda", null, 512, ImageFormat.RAW, 5);
        assertThat(full.toJson()).contains("\"mode\" : \"full\"", "\"checkpoint\" : null", "\"format\" : \"raw\"");
        assertThat(BackupRecord.parse(full.toJson().getBytes(StandardCharsets.UTF_8))).isEqualTo(full);
    }

    @Test
    void aTargetWithoutRecordHasNone() {
        assertThat(BackupRecord.read(dir.resolve("none.qcow2"))).isEmpty();
    }

    @Test
    void rejectsInvalidRecordsNamingTheFile() throws Exception {
        Path target = dir.resolve("t.qcow2");
        Path file = BackupRecord.pathFor(target);
        String valid = INC.toJson();
        String[][] cases = {
            {"{", "Unexpected end-of-input"},
            {"[]", "Cannot deserialize"},
            {"null", "the document is empty"},
            {valid.replace("\"version\" : 1", "\"version\" : 2"), "unsupported record version 2"},
            {valid.replace("\"mode\" : \"incremental\"", "\"mode\" : \"differential\""), "unknown backup mode 'differential'"},
            {valid.replace("\"incremental\" : \"c1\"", "\"incremental\" : null"), "needs the checkpoint it was taken since"},
            {valid.replace("\"mode\" : \"incremental\"", "\"mode\" : \"full\""), "a full backup cannot be incremental since checkpoint 'c1'"},
            {valid.replace("\"format\" : \"qcow2\"", "\"format\" : \"vmdk\""), "unsupported image format 'vmdk'"},
            {valid.replace("\"domain\" : \"vm1\",", ""), "'domain' is missing"},
            {valid.replace("\"virtualSize\" : 1073741824,", ""), "'virtualSize' must be a positive"},
            {valid.replace("\"created\" : 1700000000", "\"created\" : \"soon\""), "Cannot deserialize value of type `long`"},
        };
        for (String[] c : cases) {
            Files.writeString(file, c[0]);
            assertThatThrownBy(() -> BackupRecord.read(target)).as(c[0])
                    .isInstanceOfSatisfying(BackpointException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARG);
                        assertThat(e.detail()).startsWith("backup record '" + file + "' is invalid: ").contains(c[1]);
                    });
        }
    }

    @Test
    void ignoresFieldsItDoesNotKnow() throws Exception {
        Path target = dir.resolve("t.qcow2");
        Files.writeString(BackupRecord.pathFor(target), INC.toJson().replace("{", "{ \"comment\" : \"x\","));
        assertThat(BackupRecord.read(target)).contains(INC);
    }

    @Test
    void refusesAnOversizedRecord() throws Exception {
        Path target = dir.resolve("t.qcow2");
        Files.writeString(BackupRecord.pathFor(target), " ".repeat(70_000) + INC.toJson());
        assertThatThrownBy(() -> BackupRecord.read(target)).isInstanceOfSatisfying(BackpointException.class,
                e -> assertThat(e.detail()).contains("is larger than 64 KiB"));
    }

    @Test
    void writeFailuresAreTyped() {
        Path target = dir.resolve("missing/t.qcow2");
        assertThatThrownBy(() -> BackupRecord.write(target, INC)).isInstanceOfSatisfying(BackpointException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.WRITE_FAILED);
            assertThat(e.detail()).startsWith("cannot write backup record '" + BackupRecord.pathFor(target) + "'");
        });
    }

    @Test
    void constructorChecksWhatReadingChecks() {
        assertThatThrownBy(() -> BackupRecord.full("vm1", " ", "c1", 1, ImageFormat.RAW, 1))
                .isInstanceOfSatisfying(BackpointException.class, e -> assertThat(e.detail()).isEqualTo("'disk' is missing"));
        assertThatThrownBy(() -> BackupRecord.incremental("vm1", "vda", "c2", "", 1, ImageFormat.QCOW2, 1, null))
                .isInstanceOfSatisfying(BackpointException.class, e -> assertThat(e.detail()).isEqualTo("'incremental' is empty"));
    }
}
