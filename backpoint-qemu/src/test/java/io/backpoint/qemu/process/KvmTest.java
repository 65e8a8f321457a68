package io.backpoint.qemu.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvmTest {
    @Test
    void aMissingDeviceIsNotUsableAndIsNotCreated(@TempDir Path dir) {
        Path device = dir.resolve("kvm");
        assertThat(Kvm.usable(device)).isFalse();
        assertThat(device).doesNotExist();
    }
}
