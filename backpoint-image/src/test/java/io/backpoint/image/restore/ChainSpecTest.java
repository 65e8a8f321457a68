package io.backpoint.image.restore;

import io.backpoint.image.img.ImageInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainSpecTest {
    private static ChainMember member(String path, ImageFormat format, boolean block) {
        return new ChainMember(Path.of(path), format, block, new ImageInfo(format.spelling(), 1024, -1, null, null, List.of()), null);
    }

    @Test
    void overridesEachBackingDownToTheFullBackup() throws Exception {
        String spec = ChainSpec.filename(List.of(
                member("/b/full.raw", ImageFormat.RAW, false),
                member("/b/inc,1:x.qcow2", ImageFormat.QCOW2, false),
                member("/b/inc2.qcow2", ImageFormat.QCOW2, false)));
        assertThat(spec).startsWith("json:");
        JsonNode top = new ObjectMapper().readTree(spec.substring("json:".length()));
        assertThat(top.path("driver").asText()).isEqualTo("qcow2");
        assertThat(top.path("file").path("filename").asText()).isEqualTo("/b/inc2.qcow2");
        JsonNode inc1 = top.path("backing");
        assertThat(inc1.path("file").path("filename").asText()).isEqualTo("/b/inc,1:x.qcow2");
        JsonNode full = inc1.path("backing");
        assertThat(full.path("driver").asText()).isEqualTo("raw");
        assertThat(full.path("file").path("driver").asText()).isEqualTo("file");
        assertThat(full.has("backing")).isFalse();
    }

    @Test
    void aQcow2FullBackupGetsNoBackingAndBlockDevicesTheirDriver() throws Exception {
        JsonNode top = new ObjectMapper().readTree(ChainSpec.filename(List.of(
                member("/dev/vg/full", ImageFormat.QCOW2, true))).substring(5));
        assertThat(top.get("backing").isNull()).isTrue();
        assertThat(top.path("file").path("driver").asText()).isEqualTo("host_device");
    }

    @Test
    void onlyQcow2CanSitOnABacking() {
        assertThatThrownBy(() -> ChainSpec.filename(List.of(member("/f", ImageFormat.RAW, false),
                member("/g", ImageFormat.RAW, false)))).isInstanceOf(IllegalArgumentException.class);
    }
}
